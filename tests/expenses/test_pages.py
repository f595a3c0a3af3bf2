"""The expenses pages through the test client: forms, receipts and who may see them, decisions, finance."""
import csv
import io
from datetime import date
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from app.auth.models import Role
from app.expenses.models import Claim, ClaimStatus, Line, LineKind, Receipt, SavedJourney
from app.extensions import db
from tests.expenses.factories import PDF, approved_claim, journey, make_claim, make_driver, photo_bytes
from tests.factories import make_user

TODAY = date.today()


def _day_fields(prefix: str, d: date) -> dict:
    return {prefix: [str(d.day), str(d.month), str(d.year)]}


def _cost(kind="parking", amount="3.50", receipt=None, name="receipt.jpg", **extra) -> dict:
    data = {"kind": kind, "description": "Parking at the centre", "amount": amount, "stream": "mentoring",
            **_day_fields("spent_on", TODAY), **extra}
    if receipt is not None:
        data["receipt"] = (io.BytesIO(receipt), name)
    return data


def test_volunteers_find_expenses_in_the_menu_and_start_a_claim(login_as):
    client = login_as(make_driver())
    home = client.get("/").get_data(as_text=True)
    assert 'href="/expenses"' in home
    page = client.get("/expenses")
    assert page.status_code == 200 and "Start a claim" in page.get_data(as_text=True)
    response = client.post("/expenses/claims/new")
    assert response.status_code == 302 and "/expenses/claims/" in response.headers["Location"]
    again = client.post("/expenses/claims/new")
    assert again.headers["Location"] == response.headers["Location"]  # one draft at a time


def test_a_saved_journey_fills_in_the_journey_form_and_is_claimed_in_one_more_tap(login_as):
    person = make_driver()
    client = login_as(person)
    saved = client.post("/expenses/journeys", data={"name": "Home to Durham", "from_place": "DH7 8AA",
                                                      "to_place": "Durham Community Centre", "miles": "6.4",
                                                      "vehicle": "car"}, follow_redirects=True)
    assert "Journey saved." in saved.get_data(as_text=True)
    journey_id = db.session.scalar(select(SavedJourney.id))
    claim = make_claim(person)
    page = client.get(f"/expenses/claims/{claim.id}").get_data(as_text=True)
    assert f"/expenses/claims/{claim.id}/journeys?saved={journey_id}" in page.replace("&amp;", "&")
    form = client.get(f"/expenses/claims/{claim.id}/journeys?saved={journey_id}").get_data(as_text=True)
    assert 'value="6.4"' in form and 'value="Durham Community Centre"' in form
    data = {"from_place": "DH7 8AA", "to_place": "Durham Community Centre", "miles": "6.4", "vehicle": "car",
            "stream": "mentoring", "session": "0", **_day_fields("spent_on", TODAY)}
    done = client.post(f"/expenses/claims/{claim.id}/journeys?saved={journey_id}", data=data, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Journey added." in text and "6.4 miles at 45p" in text and "£2.88" in text  # 6.4 x 45 = 288p


def test_bad_journey_values_get_a_message_next_to_the_field_and_keep_what_was_typed(login_as):
    person = make_driver()
    client = login_as(person)
    claim = make_claim(person)
    data = {"from_place": "Home", "to_place": "Peterlee", "miles": "12.55", "vehicle": "bicycle", "stream": "mentoring",
            "session": "0", **_day_fields("spent_on", TODAY)}
    page = client.post(f"/expenses/claims/{claim.id}/journeys", data=data)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "at most one decimal place" in text and 'value="Peterlee"' in text
    future = client.post(f"/expenses/claims/{claim.id}/journeys",
                         data=data | {"miles": "5"} | _day_fields("spent_on", date(TODAY.year + 1, 1, 1)))
    assert "today or in the past" in future.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Line)) == 0


def test_a_photo_receipt_loses_its_location_data_and_is_stored_under_a_random_name(app, login_as):
    person = make_driver()
    client = login_as(person)
    claim = make_claim(person)
    upload = photo_bytes(exif_gps=True)
    assert Image.open(io.BytesIO(upload)).getexif().get(0x8825)  # the test photo has a GPS block
    response = client.post(f"/expenses/claims/{claim.id}/costs",
                           data=_cost(receipt=upload, name="../../../app/static/evil.jpg"))
    assert response.status_code == 302
    receipt = db.session.scalar(select(Receipt))
    stored = Path(app.config["RECEIPTS_DIR"]) / receipt.stored_name
    assert stored.is_file() and "evil" not in receipt.stored_name and len(receipt.stored_name) == 44
    assert not (Path(app.root_path) / "static" / "evil.jpg").exists()
    kept = Image.open(stored)
    assert kept.format == "JPEG" and not kept.getexif()
    assert db.session.scalar(select(Line.pence)) == 350


def test_heic_photos_are_accepted_and_kept_as_jpeg(login_as):
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (9, 9, 9)).save(out, format="HEIF")
    person = make_driver()
    claim = make_claim(person)
    response = login_as(person).post(f"/expenses/claims/{claim.id}/costs", data=_cost(receipt=out.getvalue(), name="IMG_1.HEIC"))
    assert response.status_code == 302
    assert db.session.scalar(select(Receipt.content_type)) == "image/jpeg"


def test_upload_attacks_are_refused_with_a_clear_message_and_nothing_else_lost(app, login_as):
    person = make_driver()
    client = login_as(person)
    claim = make_claim(person, [journey(TODAY, "5")])
    url = f"/expenses/claims/{claim.id}/costs"
    folder = Path(app.config["RECEIPTS_DIR"])
    files_before = len(list(folder.iterdir())) if folder.exists() else 0
    attacks = {
        "an HTML page named .jpg": (b"<html><script>alert(1)</script></html>", "receipt.jpg", "must be a JPG, PNG, HEIC photo or a PDF"),
        "a program named .pdf": (b"MZ\x90\x00" + b"\x00" * 200, "receipt.pdf", "must be a JPG, PNG, HEIC photo or a PDF"),
        "an SVG named .png": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', "r.png", "must be a JPG"),
        "a JPEG header on junk": (b"\xff\xd8\xff\xe0" + b"junk" * 50, "receipt.jpg", "could not be opened"),
        "an empty file": (b"", "receipt.jpg", "The selected file is empty"),
        "an oversized file": (b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 10), "big.pdf", "smaller than 5 MB"),
    }
    for what, (data, name, message) in attacks.items():
        page = client.post(url, data=_cost(receipt=data, name=name, amount="4.20"))
        text = page.get_data(as_text=True)
        assert page.status_code == 200, what
        assert message in text, what
        assert 'value="4.20"' in text and 'value="Parking at the centre"' in text, what  # what was typed is kept
    no_file = client.post(url, data=_cost())
    assert "Choose a photo or PDF of the receipt" in no_file.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 0
    assert len(db.session.get(Claim, claim.id).lines) == 1  # the journey already there is untouched
    assert (len(list(folder.iterdir())) if folder.exists() else 0) == files_before  # no file was kept


def test_receipts_are_served_only_to_the_claimant_and_approvers_as_downloads(login_as):
    from app.expenses import services_lines

    person = make_driver(areas=("Durham",))
    cost = services_lines.Cost(LineKind.PARKING, TODAY, "Parking", 250, PDF)
    claim = make_claim(person, costs=[cost], submit=True)
    receipt_id = claim.lines[0].receipt_id
    url = f"/expenses/receipts/{receipt_id}"
    for who, status in [(person, 200), (make_user(Role.COORDINATOR, areas=["Durham"]), 200),
                        (make_user(Role.MANAGER), 200), (make_user(Role.COORDINATOR, areas=["Weardale"]), 404),
                        (make_driver(areas=("Durham",)), 404)]:
        response = login_as(who).get(url)
        assert response.status_code == status, who.email
        if status == 200:
            assert response.headers["Content-Disposition"].startswith("attachment;")
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Content-Type"] == "application/pdf" and response.data == PDF
    assert login_as(person).get(f"/expenses/claims/{claim.id}").status_code == 200
    assert login_as(make_driver()).get(f"/expenses/claims/{claim.id}").status_code == 404


def test_a_coordinator_who_also_claims_cannot_approve_their_own_claim_in_the_portal(login_as):
    both = make_user(Role.VOLUNTEER, Role.COORDINATOR, areas=["Durham"])
    claim = make_claim(both, [journey(TODAY, "3", vehicle="bicycle")], submit=True)
    client = login_as(both)
    assert "Decision" not in client.get(f"/expenses/claims/{claim.id}").get_data(as_text=True)
    client.post(f"/expenses/claims/{claim.id}/decision", data={"decision": "approve"})
    assert db.session.get(Claim, claim.id).status is ClaimStatus.SUBMITTED
    assert f"claim {claim.id}" not in client.get("/expenses/approvals").get_data(as_text=True)


def test_sending_back_without_a_question_is_refused_next_to_the_field(login_as):
    person = make_driver()
    claim = make_claim(person, [journey(TODAY, "3")], submit=True)
    client = login_as(make_user(Role.COORDINATOR, areas=["Durham"]))
    page = client.post(f"/expenses/claims/{claim.id}/decision", data={"decision": "query", "comment": ""})
    assert page.status_code == 400 and "Say what the volunteer needs to know" in page.get_data(as_text=True)
    done = client.post(f"/expenses/claims/{claim.id}/decision", data={"decision": "query", "comment": "Which car park?"})
    assert done.status_code == 302 and db.session.get(Claim, claim.id).status is ClaimStatus.QUERIED


def test_finance_exports_a_batch_one_row_per_line_with_cost_codes_and_marks_it_paid(login_as, smtp):
    from tests.training.factories import make_session

    manager = make_user(Role.MANAGER)
    person = make_driver(name="=Alex Driver")
    passenger = make_driver()
    lines = [journey(TODAY, "10", passengers=[passenger]), journey(TODAY, "4", to="Centre", training_session=make_session())]
    claim = approved_claim(person, manager, lines)
    client = login_as(manager)
    page = client.get("/expenses/finance").get_data(as_text=True)
    assert "1 approved claim" in page
    client.post("/expenses/finance/batches")
    batch_id = db.session.get(Claim, claim.id).batch_id
    export = client.get(f"/expenses/finance/batches/{batch_id}.csv")
    assert export.headers["Content-Type"].startswith("text/csv") and "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert len(rows) == 2
    assert {r["cost_code"] for r in rows} == {"CPM-4010", "CPM-4020"}
    assert rows[0]["volunteer"] == "'=Alex Driver"  # never a spreadsheet formula
    assert sum(int(r["pence"]) for r in rows) == claim.total_pence == 10 * 45 + 10 * 5 + 4 * 45
    bad = client.post(f"/expenses/finance/batches/{batch_id}/paid", data={"reference": ""})
    assert "Enter the payment reference" in bad.get_data(as_text=True)
    client.post(f"/expenses/finance/batches/{batch_id}/paid",
                data={"reference": "BACS 77", **_day_fields("paid_on", TODAY)})
    assert db.session.get(Claim, claim.id).status is ClaimStatus.PAID
    again = client.post(f"/expenses/finance/batches/{batch_id}/paid",
                        data={"reference": "BACS 78", **_day_fields("paid_on", TODAY)}, follow_redirects=True)
    assert "already marked paid" in again.get_data(as_text=True)
    totals = client.get("/expenses/finance").get_data(as_text=True)
    assert "=Alex Driver" in totals and "14.0" in totals


def test_a_receipt_stored_by_an_action_that_is_then_refused_leaves_no_file(app):
    from app.actions import perform
    from app.errors import DomainError
    from app.expenses.services_receipts import store_receipt

    person = make_driver()
    folder = Path(app.config["RECEIPTS_DIR"])

    def refused_after_storing():
        store_receipt(person, PDF)
        assert len(list(folder.iterdir())) == before + 1
        raise DomainError("Refused after the receipt was stored")

    folder.mkdir(parents=True, exist_ok=True)
    before = len(list(folder.iterdir()))
    outcome = perform(refused_after_storing)
    assert not outcome.ok and len(list(folder.iterdir())) == before
    kept = perform(store_receipt, person, PDF)
    assert kept.ok and (folder / kept.value.stored_name).is_file()


def test_old_claims_are_flagged_for_the_approver_not_refused(login_as):
    from app.expenses import rules

    person = make_user(Role.VOLUNTEER, areas=["Durham"])
    old = max(rules.months_before(TODAY, 4), rules.tax_year_bounds(rules.tax_year_of(TODAY) - 1)[0])
    claim = make_claim(person, [journey(old, "3", vehicle="bicycle")], submit=True)
    assert claim.status is ClaimStatus.SUBMITTED
    client = login_as(make_user(Role.COORDINATOR, areas=["Durham"]))
    assert "more than 3 months old" in client.get(f"/expenses/claims/{claim.id}").get_data(as_text=True)
    assert "Includes costs older than 3 months" in client.get("/expenses/approvals").get_data(as_text=True)


def test_drivers_confirm_this_or_last_tax_year_and_declare_other_miles(login_as):
    from app.expenses import rules
    from app.expenses.models import DriverYear

    person = make_user(Role.VOLUNTEER, areas=["Durham"])
    client = login_as(person)
    this_year = rules.tax_year_of(TODAY)
    refused = client.post("/expenses/driver", data={"licence": "y", "other_miles": "12000.5"})
    assert "Confirm your insurer knows" in refused.get_data(as_text=True)
    done = client.post(f"/expenses/driver?year={this_year - 1}", data={"licence": "y", "insurance": "y",
                                                                      "other_miles": "12,000.5"})
    assert done.status_code == 302
    row = db.session.scalar(select(DriverYear))
    assert (row.tax_year, row.other_miles) == (this_year - 1, rules.as_miles("12000.5"))
    assert client.get(f"/expenses/driver?year={this_year - 2}").status_code == 404


def test_the_claimant_corrects_an_approved_claim_from_its_page(login_as):
    person = make_driver()
    claim = approved_claim(person, make_user(Role.MANAGER), [journey(TODAY, "10")])
    client = login_as(person)
    assert "Correct this" in client.get(f"/expenses/claims/{claim.id}").get_data(as_text=True)
    response = client.post(f"/expenses/claims/{claim.id}/lines/{claim.lines[0].id}/correct", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "The line is reversed" in text and "-£4.50" in text and "Correction: Home to Durham" in text
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 2
    other = login_as(make_user(Role.MANAGER))
    assert other.post(f"/expenses/claims/{claim.id}/lines/{claim.lines[0].id}/correct").status_code == 403
