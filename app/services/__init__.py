"""Business rules: every rule lives here once; views call these and render."""
