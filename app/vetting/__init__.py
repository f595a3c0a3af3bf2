"""DBS and police vetting. Readiness gates call `app.vetting.services.vetting_gate(volunteer, on)`."""
