/* The H5 join page (/q/<code>): the mini-program's flow on the same /mp/v1 API. Plain JS, no build step.
 *
 * A submission carries an Idempotency-Key that is kept until the server has answered, so a retry after a
 * lost connection (automatic, then by tapping again) gets the first answer back instead of a duplicate.
 * After the join the page always says what happens next: who reviews, how long, where the result shows;
 * a returned application comes back prefilled; 找回我的申请 moves one filed on another phone here with the
 * booth's code (a browser has no WeChat-verified phone, and a typed mobile proves nothing); a phone whose
 * application went to another phone, or was voided or withdrawn, says so above the form. */
(function () {
  "use strict";

  var form = window.H5Form;
  var root = document.getElementById("h5");
  var api = root.dataset.api;
  var entryCode = root.dataset.entryCode;
  var TOKEN_KEY = "union-intake.h5-token";
  var AUTOMATIC_RETRIES = 2;
  var MOVE_HOLD_MS = 24 * 3600 * 1000;  // app/services/intake/moves.py MOVE_HOLD: no withdrawal a day after a move
  var NETWORK_MESSAGE = "网络不稳定，提交未完成。请检查网络后再点一次提交，不会重复提交。";
  // Status colours follow meaning: green done, amber waiting, grey ended by the worker, red only for problems.
  var TONES = {
    submitted: "wait", returned: "problem", approved: "done", rejected: "problem", withdrawn: "ended",
    moved_away: "problem", voided: "problem", pending: "wait", sent_to_bank: "wait", issued: "done",
  };
  var state = { options: null, joinKey: null, membership: null, card: null, cardInfoLoaded: false };

  function byId(id) { return document.getElementById(id); }
  function show(id, visible) { byId(id).hidden = !visible; }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function showMessage(text) {
    var message = byId("h5-message");
    message.textContent = text || "";
    message.hidden = !text;
    if (text) { message.scrollIntoView({ block: "center" }); }
  }

  async function call(method, path, body, extraHeaders) {
    var headers = Object.assign({ "Content-Type": "application/json" }, extraHeaders || {});
    var token = localStorage.getItem(TOKEN_KEY);
    if (token) { headers.Authorization = "Bearer " + token; }
    var response = await fetch(api + path, {
      method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    var data = await response.json().catch(function () { return {}; });
    return { status: response.status, data: data };
  }

  async function visitorLogin() {
    var answer = await call("POST", "/auth/h5");
    if (answer.status !== 200) { throw answer; }
    localStorage.setItem(TOKEN_KEY, answer.data.token);
  }

  // A call as the signed-in visitor; an expired or unknown token is replaced once.
  async function signedIn(method, path, body, headers) {
    if (!localStorage.getItem(TOKEN_KEY)) { await visitorLogin(); }
    var answer = await call(method, path, body, headers);
    if (answer.status === 401) {
      localStorage.removeItem(TOKEN_KEY);
      await visitorLogin();
      answer = await call(method, path, body, headers);
    }
    return answer;
  }

  // Network failures and 503s are retried a little later with the very same request (and key).
  async function withRetries(send) {
    for (var attempt = 0; ; attempt++) {
      try {
        var answer = await send();
        if (answer.status !== 503 || attempt >= AUTOMATIC_RETRIES) { return answer; }
      } catch (error) {
        if (!(error instanceof TypeError) || attempt >= AUTOMATIC_RETRIES) { throw error; }
      }
      await new Promise(function (resolve) { setTimeout(resolve, 800 * (attempt + 1)); });
    }
  }

  function errorOf(answer) {
    return (answer.data && answer.data.error) || { message: "服务器开小差了，请稍后再试", fields: {} };
  }

  // Field errors go next to their fields (the first one scrolled to); anything else to the message line.
  function showErrors(target, answer) {
    var error = errorOf(answer);
    var first = form.showErrors(target, error.fields);
    if (first) { form.revealAndFocus(first); } else { showMessage(error.message); }
  }

  function fillOptions(options) {
    document.querySelectorAll("select[data-options]").forEach(function (select) {
      (options[select.dataset.options] || []).forEach(function (label) { select.add(new Option(label, label)); });
    });
    var delivery = byId("card-f-delivery");
    options.card_delivery.forEach(function (choice) {
      var label = document.createElement("label");
      label.className = "check";
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "delivery";
      radio.value = choice.value;
      label.append(radio, " " + choice.label);
      delivery.appendChild(label);
    });
    byId("consent-text").textContent = options.consent_text;
  }

  // An API time (UTC) as the worker's clock at the meeting reads it: 12月6日 14:05.
  var BEIJING = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  function beijingTime(iso) {
    var part = {};
    BEIJING.formatToParts(new Date(iso)).forEach(function (p) { part[p.type] = p.value; });
    return part.month + "月" + part.day + "日 " + part.hour + ":" + part.minute;
  }

  function setStatus(id, code, text) {
    var line = byId(id);
    line.textContent = text;
    line.className = "status tone-" + (TONES[code] || "wait");
  }

  function renderMembership(membership, justSubmitted) {
    state.membership = membership;
    var returned = Boolean(membership && membership.status === "returned");
    show("membership-done", Boolean(membership));
    byId("h5-intro").textContent = membership
      ? "您已提交入会申请，办理进度见下方。" : "填写以下信息即可现场入会，入会后可申领互助服务卡。";
    if (!membership) { return; }
    byId("membership-title").textContent = justSubmitted ? "提交成功" : "我的入会申请";
    setStatus("membership-status", membership.status, membership.status_text);
    // Recovered from another phone: what happened there, and why withdrawing waits a day (moves.HELD).
    byId("membership-moved").textContent = membership.moved_here_at
      ? "这份申请于" + beijingTime(membership.moved_here_at) + "从其他手机转到这部手机，原来的手机上只显示「已转到其他手机」。"
        + "转来后24小时内不能撤回或修改。" : "";
    show("membership-moved", Boolean(membership.moved_here_at));
    var waiting = membership.status === "submitted";
    show("membership-next", waiting);
    byId("reviewing-org").textContent = membership.reviewing_org.name;
    byId("review-days").textContent = membership.review_days;
    show("membership-member", Boolean(membership.member_no));
    byId("member-no").textContent = membership.member_no || "";
    byId("membership-detail").textContent = membership.name + " · " + membership.id_number;
    var ended = membership.status === "rejected" && membership.decision_reason;
    byId("membership-reason").textContent = ended ? "原因：" + membership.decision_reason : "";
    show("membership-reason", Boolean(ended));
    show("withdraw", waiting && !heldAfterMove(membership));
    if (returned) { openReturned(membership); }
  }

  // The returned form: reason on top, the worker's own answers in place, the flagged fields marked.
  function openReturned(membership) {
    var join = byId("join-form");
    form.prefill(join, membership);
    form.flag(join, membership.returned_fields || []);
    byId("f-consent").checked = true;
    byId("return-reason").textContent = membership.return_reason || "";
    show("return-box", true);
    byId("join-title").textContent = "修改入会申请";
    byId("join-submit").textContent = "修改后重新提交";
  }

  function renderCard(card, eligibility) {
    state.card = card;
    var membership = state.membership;
    // A returned application is fixed first; the card waits until it is submitted again.
    var settled = Boolean(membership && membership.status !== "returned");
    var offered = Boolean(settled && eligibility.available && !card);
    show("card-form", offered);
    if (offered) { loadCardInfo(); }
    var refused = settled && !card && !eligibility.available && eligibility.code !== "card_already_applied";
    show("card-refused", Boolean(refused));
    byId("card-refused-reason").textContent = refused ? eligibility.message : "";
    show("card-done", Boolean(card));
    if (card) { setStatus("card-status", card.status, card.status_text); }
  }

  function render(membership, card, eligibility, justSubmitted) {
    show("h5-loading", false);
    // With the form or the status below it, the meeting header needs one line, not the phone's first screen.
    byId("entry-header").classList.add("compact");
    renderMembership(membership, justSubmitted);
    var returned = Boolean(membership && membership.status === "returned");
    show("join-form", !membership || returned);
    show("recover", !membership);
    if (membership) { show("previous", false); }
    renderCard(card, eligibility);
  }

  // No application now: what became of the last one here (moved to another phone, voided, withdrawn), if any.
  async function showPrevious() {
    var me = await signedIn("GET", "/me").catch(function () { return null; });
    if (!me || me.status !== 200) { return; }
    var moved = me.data.moved_applications[0];
    var ended = me.data.membership_applications[0];
    var previous = moved || ended;
    if (!previous) { return; }
    var union = previous.reviewing_org.name;
    setStatus("previous-status", previous.voided ? "voided" : previous.status, previous.status_text);
    byId("previous-detail").textContent = previous.name + " · " + previous.id_number + " · " + previous.meeting_title;
    byId("previous-advice").textContent = moved
      ? "这份申请已于" + beijingTime(moved.moved_at) + "在其他手机上找回，这里只保留记录。如果不是您本人操作，请尽快联系"
        + union + "。"
      : previous.voided ? voidedAdvice(union) : "如有疑问，请联系" + union + "；需要入会可以在下方重新填写。";
    show("previous", true);
  }

  function heldAfterMove(membership) {
    return Boolean(membership.moved_here_at) && Date.now() < Date.parse(membership.moved_here_at) + MOVE_HOLD_MS;
  }

  // What the booth's void panel promised this phone: what happened, and the way back if the ID number is its own.
  function voidedAdvice(union) {
    return "工作人员核对身份证原件后作废了这份申请：申请所用的身份证号不是提交人本人的。"
      + "如果这是您本人的身份证号，请带身份证到沟通会现场的服务岗位，或联系" + union + "。"
      + "为自己入会，请用本人的身份证号在下方重新填写。";
  }

  async function loadCardInfo() {
    if (state.cardInfoLoaded) { return; }
    state.cardInfoLoaded = true;
    var answer = await call("GET", "/card-info").catch(function () { return null; });
    if (!answer || answer.status !== 200) { state.cardInfoLoaded = false; return; }
    var box = byId("card-info-sections");
    answer.data.sections.forEach(function (section) {
      var heading = document.createElement("h3");
      heading.textContent = section.heading;
      var body = document.createElement("p");
      body.textContent = section.body;
      box.append(heading, body);
    });
  }

  function joinBody() {
    var join = byId("join-form");
    var value = function (name) {
      var text = join.elements[name].value.trim();
      return text === "" ? null : text;
    };
    var migrant = value("is_migrant_worker");
    var body = {
      is_migrant_worker: migrant === null ? null : migrant === "true",
      id_valid_until: byId("id-long-term").checked ? "long_term" : value("id_valid_until"),
    };
    ["name", "id_number", "mobile", "employer", "employer_credit_code", "industry", "new_form_job", "hukou_type",
      "education", "political_status", "employment_status", "skill_level", "residence"].forEach(function (name) {
      body[name] = value(name);
    });
    return body;
  }

  async function submit(target, send, onSuccess) {
    form.clearErrors(target);
    showMessage("");
    var button = target.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      var answer = await withRetries(send);
      if (answer.status === 200 || answer.status === 201) { onSuccess(answer.data); } else { showErrors(target, answer); }
      return answer;
    } catch (error) {
      // A refused visitor sign-in (429, 404 when H5 is off) is an answer; anything else is the network.
      showMessage(error && error.status ? errorOf(error).message : NETWORK_MESSAGE);
      return null;
    } finally {
      button.disabled = false;
    }
  }

  // Checked here first with the server's rules; the first wrong field is brought into view.
  function refusedLocally(target, errors) {
    form.clearErrors(target);
    var first = form.showErrors(target, errors);
    if (first) { form.revealAndFocus(first); }
    return Boolean(first);
  }

  async function submitJoin(event) {
    event.preventDefault();
    var join = event.target;
    var errors = form.checkAll(join, form.JOIN_CHECKS);
    if (!byId("f-consent").checked) { errors.consent = "请阅读并同意入会承诺和个人信息保护说明"; }
    if (refusedLocally(join, errors)) { return; }
    var returned = state.membership && state.membership.status === "returned" ? state.membership : null;
    var answer = returned ? await resubmit(join, returned) : await joinNew(join);
    if (answer && answer.status === 409 && errorOf(answer).code === "already_applied") { offerRecovery(); }
  }

  async function joinNew(join) {
    var body = Object.assign(joinBody(), {
      entry_code: entryCode, consent: true, consent_version: state.options.consent_version,
    });
    state.joinKey = state.joinKey || newKey();
    var headers = { "Idempotency-Key": state.joinKey };
    var answer = await submit(join, function () {
      return signedIn("POST", "/membership-applications", body, headers);
    }, function (membership) { afterJoin(membership); });
    // The server has answered, so this attempt is settled; a corrected form is a new submission.
    if (answer) { state.joinKey = null; }
    return answer;
  }

  function resubmit(join, returned) {
    var body = form.changes(join, joinBody(), returned);
    return submit(join, function () {
      return signedIn("PATCH", "/membership-applications/" + returned.id, body);
    }, function (membership) { afterJoin(membership); });
  }

  function afterJoin(membership) {
    show("return-box", false);
    form.flag(byId("join-form"), []);
    render(membership, state.card, membership.card_eligibility, true);
    byId("membership-done").scrollIntoView({ block: "start" });
    byId("membership-title").focus({ preventScroll: true });
  }

  function offerRecovery() {
    openRecovery(true);
    byId("r-f-id_number").value = byId("f-id_number").value;
    showMessage("该身份证号已有一份正在办理的入会申请。如果是您本人在其他手机上申请的，请现场工作人员核对身份证后给您找回码，在下方「找回我的申请」填写；"
      + "如果不是您本人申请的（有人用了您的身份证号），工作人员核对身份证后会作废那份申请，您再在这里重新提交。");
    // The way forward, not the dead end, is what the worker sees next.
    byId("recover").scrollIntoView({ block: "start" });
    byId("r-f-recovery_code").focus({ preventScroll: true });
  }

  function openRecovery(open) {
    show("recover-form", open);
    byId("recover-toggle").setAttribute("aria-expanded", String(open));
  }

  async function submitRecovery(event) {
    event.preventDefault();
    var recover = event.target;
    if (refusedLocally(recover, form.checkAll(recover, form.RECOVER_CHECKS))) { return; }
    var body = { id_number: recover.elements.id_number.value, recovery_code: recover.elements.recovery_code.value.trim() };
    await submit(recover, function () {
      return signedIn("POST", "/membership-applications/recover", body);
    }, function () { showMine(); });
  }

  // After a recovery or a withdrawal: everything of mine, as `me` says it.
  async function showMine() {
    var me = await signedIn("GET", "/me");
    if (me.status !== 200) { return; }
    var live = me.data.membership_applications.filter(function (a) {
      return ["submitted", "returned", "approved"].indexOf(a.status) >= 0;
    })[0] || me.data.membership_applications[0] || null;
    var card = me.data.card_applications.filter(function (c) { return c.status !== "rejected"; })[0] || null;
    render(live, card, me.data.card_eligibility, false);
    if (live) { byId("membership-done").scrollIntoView({ block: "start" }); }
  }

  async function withdraw() {
    if (!window.confirm("确定撤回这份入会申请吗？撤回后如需入会，可以重新填写。")) { return; }
    var answer = await signedIn("DELETE", "/membership-applications/" + state.membership.id);
    if (answer.status === 200) { await showMine(); } else { showMessage(errorOf(answer).message); }
  }

  async function submitCard(event) {
    event.preventDefault();
    var cardForm = event.target;
    var chosen = cardForm.querySelector("input[name=delivery]:checked");
    var errors = {};
    if (!chosen) { errors.delivery = "请选择领卡方式"; }
    if (chosen && chosen.value === "branch" && !cardForm.elements.branch.value) { errors.branch = "请选择领卡的银行网点"; }
    if (!byId("card-f-consent").checked) { errors.consent = "请阅读并同意互助服务卡办理须知"; }
    if (refusedLocally(cardForm, errors)) { return; }
    var body = {
      entry_code: entryCode, delivery: chosen.value, consent: true, branch: cardForm.elements.branch.value || null,
    };
    var answer = await submit(cardForm, function () {
      return signedIn("POST", "/mutual-aid-card-applications", body);
    }, function (card) { renderCard(card, { available: false, code: "card_already_applied" }); });
    // A card request whose answer was lost comes back as "already applied": show the card it created.
    if (answer && errorOf(answer).code === "card_already_applied") { await showMine(); }
  }

  async function copyMemberNo() {
    var text = byId("member-no").textContent;
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {
      // Without the clipboard API (plain http): select the number so the phone's own copy works.
      window.getSelection().selectAllChildren(byId("member-no"));
      document.execCommand("copy");
    }
    byId("copy-done").textContent = "已复制会员编号 " + text;
  }

  async function load() {
    try {
      var answer = await withRetries(function () { return signedIn("GET", "/entries/" + encodeURIComponent(entryCode)); });
      if (answer.status !== 200) {
        show("h5-loading", false);
        show("recover", false);
        showMessage(errorOf(answer).message);
        return;
      }
      state.options = answer.data.form_options;
      fillOptions(state.options);
      render(answer.data.membership, answer.data.card, answer.data.card_eligibility, false);
      if (!answer.data.membership) { await showPrevious(); }
    } catch (error) {
      show("h5-loading", false);
      showMessage(error && error.status ? errorOf(error).message : "网络连接失败，请检查网络后刷新页面。");
    }
  }

  function wireInputs() {
    var idNumber = byId("f-id_number");
    idNumber.addEventListener("input", function () {
      if (idNumber.value !== idNumber.dataset.kept) { idNumber.value = idNumber.value.replace(/\s/g, "").toUpperCase(); }
    });
    byId("add-x").addEventListener("click", function () {
      if (idNumber.value.length < 18) { idNumber.value += "X"; }
      idNumber.dispatchEvent(new Event("input", { bubbles: true }));
      idNumber.focus();
    });
    // A kept masked value is replaced by whatever the worker types, not appended to.
    document.querySelectorAll("#join-form input").forEach(function (input) {
      input.addEventListener("focus", function () {
        if (input.dataset.kept && input.value === input.dataset.kept) { input.select(); }
      });
    });
    byId("id-long-term").addEventListener("change", function (event) {
      byId("f-id_valid_until").disabled = event.target.checked;
    });
    byId("card-f-delivery").addEventListener("change", function (event) {
      byId("card-f-branch").closest(".field").hidden = event.target.value !== "branch";
    });
    byId("card-f-branch").closest(".field").hidden = true;
    byId("recover-toggle").addEventListener("click", function () { openRecovery(byId("recover-form").hidden); });
    byId("copy-member-no").addEventListener("click", copyMemberNo);
    byId("withdraw").addEventListener("click", withdraw);
    form.watch(byId("join-form"), form.JOIN_CHECKS);
    form.watch(byId("recover-form"), form.RECOVER_CHECKS);
    form.watch(byId("card-form"), {});
    byId("join-form").addEventListener("submit", submitJoin);
    byId("recover-form").addEventListener("submit", submitRecovery);
    byId("card-form").addEventListener("submit", submitCard);
  }

  wireInputs();
  load();
})();
