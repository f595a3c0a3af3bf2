from tests.training.factories import make_session, make_volunteer
def test_smoke(login_as):
    s = make_session()
    v = make_volunteer()
    c = login_as(v)
    for url in ["/", "/training/", f"/training/sessions/{s.id}", "/training/record", "/training/courses/taster-day",
                "/training/courses/gdpr-induction", "/training/courses/gdpr-induction/lessons/1", "/training/courses/gdpr-induction/check",
                f"/training/sessions/{s.id}/calendar.ics"]:
        r = c.get(url); assert r.status_code == 200, (url, r.status_code)
    r = c.post(f"/training/sessions/{s.id}/book"); assert r.status_code == 302
    r = c.get(f"/training/sessions/{s.id}"); assert b"Booked" in r.data
    co = login_as("coordinator")
    for url in ["/", "/training/manage", "/training/sessions/new", f"/training/sessions/{s.id}/edit", f"/training/sessions/{s.id}/cancel",
                f"/training/sessions/{s.id}/register", "/training/venues", "/training/venues/new", "/training/teaching", f"/training/people/{v.id}"]:
        r = co.get(url); assert r.status_code == 200, (url, r.status_code, r.data[-3000:])
    t = login_as(s.trainers[0])
    for url in ["/", "/training/teaching"]:
        r = t.get(url); assert r.status_code == 200, (url, r.status_code)
