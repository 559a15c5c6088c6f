/* The H5 join page (/q/<code>): the mini-program's flow on the same /mp/v1 API. Plain JS, no build step.
 *
 * A submission carries an Idempotency-Key that is kept until the server has answered, so a retry after a
 * lost connection (automatic, then by tapping again) gets the first answer back instead of a duplicate. */
(function () {
  "use strict";

  var root = document.getElementById("h5");
  var api = root.dataset.api;
  var entryCode = root.dataset.entryCode;
  var TOKEN_KEY = "union-intake.h5-token";
  var AUTOMATIC_RETRIES = 2;
  var NETWORK_MESSAGE = "网络不稳定，提交未完成。请检查网络后再点一次提交，不会重复提交。";
  var state = { options: null, joinKey: null, returnedId: null, card: null };

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

  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach(function (line) { line.hidden = true; line.textContent = ""; });
    form.querySelectorAll(".has-error").forEach(function (field) { field.classList.remove("has-error"); });
    showMessage("");
  }

  // Field errors go next to their fields; anything else (409, 410, 429 ...) to the message line.
  function showErrors(form, answer) {
    var error = errorOf(answer);
    var first = null;
    Object.keys(error.fields || {}).forEach(function (name) {
      var field = form.querySelector('[data-field="' + name + '"]');
      if (!field) { return; }
      field.classList.add("has-error");
      var line = field.querySelector(".field-error");
      line.textContent = error.fields[name];
      line.hidden = false;
      first = first || field;
    });
    if (first) {
      first.scrollIntoView({ block: "center" });
      var input = first.querySelector("input, select");
      if (input) { input.focus(); }
    } else {
      showMessage(error.message);
    }
  }

  function fillOptions(options) {
    document.querySelectorAll("select[data-options]").forEach(function (select) {
      (options[select.dataset.options] || []).forEach(function (label) { select.add(new Option(label, label)); });
    });
    var delivery = byId("card-f-delivery");
    options.card_delivery.forEach(function (choice) {
      var label = document.createElement("label");
      label.className = "check";
      label.innerHTML = '<input type="radio" name="delivery"> ';
      label.firstChild.value = choice.value;
      label.appendChild(document.createTextNode(choice.label));
      delivery.appendChild(label);
    });
    byId("consent-text").textContent = options.consent_text;
  }

  function render(membership, card, actions) {
    // A returned application is corrected in the same form and sent back with PATCH.
    state.returnedId = membership && membership.status === "returned" ? membership.id : null;
    state.card = card;
    show("h5-loading", false);
    show("join-form", actions.indexOf("join") >= 0 || state.returnedId !== null);
    byId("join-submit").textContent = state.returnedId ? "修改后重新提交" : "提交入会申请";
    show("membership-done", Boolean(membership));
    if (membership) {
      byId("membership-status").textContent = membership.status_label;
      byId("membership-detail").textContent = membership.name + " · " + membership.id_number + " · " +
        membership.host_org_name + (membership.decision_reason ? " · " + membership.decision_reason : "");
    }
    show("card-form", actions.indexOf("card") >= 0);
    show("card-done", Boolean(card));
    if (card) { byId("card-status").textContent = card.status_label; }
  }

  function joinBody() {
    var form = byId("join-form");
    var value = function (name) {
      var text = form.elements[name].value.trim();
      return text === "" ? null : text;
    };
    var migrant = value("is_migrant_worker");
    var body = {
      entry_code: entryCode, consent: byId("f-consent").checked, consent_version: state.options.consent_version,
      is_migrant_worker: migrant === null ? null : migrant === "true",
      id_valid_until: byId("id-long-term").checked ? "long_term" : value("id_valid_until"),
    };
    ["name", "id_number", "mobile", "employer", "employer_credit_code", "industry", "new_form_job", "hukou_type",
      "education", "political_status", "employment_status", "skill_level", "residence"].forEach(function (name) {
      body[name] = value(name);
    });
    return body;
  }

  async function submit(form, send, onSuccess) {
    clearErrors(form);
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      var answer = await withRetries(send);
      if (answer.status === 200 || answer.status === 201) {
        onSuccess(answer.data);
      } else {
        showErrors(form, answer);
      }
      return answer;
    } catch (error) {
      // A refused visitor sign-in (429, 404 when H5 is off) is an answer; anything else is the network.
      showMessage(error && error.status ? errorOf(error).message : NETWORK_MESSAGE);
      return null;
    } finally {
      button.disabled = false;
    }
  }

  async function submitJoin(event) {
    event.preventDefault();
    var body = joinBody();
    state.joinKey = state.joinKey || newKey();
    var headers = { "Idempotency-Key": state.joinKey };
    var send = state.returnedId
      ? function () { return signedIn("PATCH", "/membership-applications/" + state.returnedId, body); }
      : function () { return signedIn("POST", "/membership-applications", body, headers); };
    var answer = await submit(event.target, send, function (membership) {
      render(membership, state.card, state.card ? [] : ["card"]);
    });
    // The server has answered, so this attempt is settled; a corrected form is a new submission.
    if (answer) { state.joinKey = null; }
  }

  async function submitCard(event) {
    event.preventDefault();
    var form = event.target;
    var chosen = form.querySelector("input[name=delivery]:checked");
    var body = {
      entry_code: entryCode, delivery: chosen ? chosen.value : "", consent: byId("card-f-consent").checked,
      branch: form.elements.branch.value || null,
    };
    var answer = await submit(form, function () {
      return signedIn("POST", "/mutual-aid-card-applications", body);
    }, function (card) { showCard(card); });
    if (answer && errorOf(answer).code === "card_already_applied") { await showMyCard(); }
  }

  function showCard(card) {
    show("card-form", false);
    show("card-done", true);
    byId("card-status").textContent = card.status_label;
  }

  // A card request whose answer was lost comes back as "already applied": show the card it created.
  async function showMyCard() {
    var me = await signedIn("GET", "/me");
    if (me.status === 200 && me.data.card_applications.length) { showCard(me.data.card_applications[0]); }
  }

  async function load() {
    try {
      var answer = await withRetries(function () { return signedIn("GET", "/entries/" + encodeURIComponent(entryCode)); });
      if (answer.status !== 200) {
        show("h5-loading", false);
        showMessage(errorOf(answer).message);
        return;
      }
      state.options = answer.data.form_options;
      fillOptions(state.options);
      render(answer.data.membership, answer.data.card, answer.data.actions);
    } catch (error) {
      show("h5-loading", false);
      showMessage(error && error.status ? errorOf(error).message : "网络连接失败，请检查网络后刷新页面。");
    }
  }

  function wireInputs() {
    var idNumber = byId("f-id_number");
    idNumber.addEventListener("input", function () { idNumber.value = idNumber.value.replace(/\s/g, "").toUpperCase(); });
    byId("add-x").addEventListener("click", function () {
      if (idNumber.value.length < 18) { idNumber.value += "X"; }
      idNumber.focus();
    });
    byId("id-long-term").addEventListener("change", function (event) {
      byId("f-id_valid_until").disabled = event.target.checked;
    });
    byId("card-f-delivery").addEventListener("change", function (event) {
      byId("card-f-branch").closest(".field").hidden = event.target.value !== "branch";
    });
    byId("card-f-branch").closest(".field").hidden = true;
    byId("join-form").addEventListener("submit", submitJoin);
    byId("card-form").addEventListener("submit", submitCard);
  }

  wireInputs();
  load();
})();
