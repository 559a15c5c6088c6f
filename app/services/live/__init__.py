"""live: see SPEC §2 for the grouping of app/services by domain."""
