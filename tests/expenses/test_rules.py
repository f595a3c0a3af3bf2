"""The mileage rate engine, exhaustively: every vehicle, the threshold, tax years, rate changes, rounding."""
import itertools
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from app.expenses import rules
from app.expenses.rules import Band, Journey, Rates, Vehicle, price_journey, price_year

HMRC = Rates(starts_on=date(2011, 4, 6))
LOWER = Rates(starts_on=date(2026, 10, 1), car_van_first=40, car_van_after=20, motorcycle=20, bicycle=15, passenger=4)
SCHEDULE = (HMRC, LOWER)


def total(lines) -> int:
    return sum(line.pence for line in lines)


def parts(lines):
    return [(line.miles, line.pence_per_mile, line.pence) for line in lines]


# ---------------------------------------------------------------- one journey


@pytest.mark.parametrize(("vehicle", "rate"), [("car", 45), ("van", 45), ("motorcycle", 24), ("bicycle", 20)])
def test_every_vehicle_at_its_rate(vehicle, rate):
    assert parts(price_journey(HMRC, vehicle, D("10"), 0, D("0"))) == [(D("10"), rate, 10 * rate)]


@pytest.mark.parametrize("vehicle", ["car", "van"])
def test_cars_and_vans_past_the_threshold_are_paid_the_lower_rate(vehicle):
    assert parts(price_journey(HMRC, vehicle, D("10"), 0, D("10000"))) == [(D("10"), 25, 250)]
    assert parts(price_journey(HMRC, vehicle, D("10"), 0, D("12345.6"))) == [(D("10"), 25, 250)]


@pytest.mark.parametrize(("vehicle", "rate"), [("motorcycle", 24), ("bicycle", 20)])
def test_motorcycles_and_bicycles_have_one_rate_whatever_the_miles_before(vehicle, rate):
    assert parts(price_journey(HMRC, vehicle, D("10"), 0, D("20000"))) == [(D("10"), rate, 10 * rate)]


def test_a_journey_crossing_the_threshold_is_split_between_the_rates():
    lines = price_journey(HMRC, "car", D("30"), 0, D("9990"))
    assert parts(lines) == [(D("10"), 45, 450), (D("20"), 25, 500)]
    assert [line.band for line in lines] == [Band.FIRST, Band.AFTER]
    assert rules.describe(lines) == "10 miles at 45p, 20 miles at 25p"


def test_a_journey_ending_exactly_at_the_threshold_is_all_at_the_higher_rate():
    assert parts(price_journey(HMRC, "car", D("10"), 0, D("9990"))) == [(D("10"), 45, 450)]
    assert parts(price_journey(HMRC, "car", D("0.1"), 0, D("9999.9"))) == [(D("0.1"), 45, 4)]
    assert parts(price_journey(HMRC, "car", D("0.2"), 0, D("9999.9"))) == [(D("0.1"), 45, 4), (D("0.1"), 25, 2)]


def test_passengers_are_paid_one_line_each_and_described_together():
    lines = price_journey(HMRC, "car", D("30"), 2, D("9990"))
    assert parts(lines) == [(D("10"), 45, 450), (D("20"), 25, 500), (D("30"), 5, 150), (D("30"), 5, 150)]
    assert rules.describe(lines) == "10 miles at 45p, 20 miles at 25p, 2 passengers for 30 miles at 5p"
    assert rules.describe(price_journey(HMRC, "van", D("30"), 1, D("0"))) == "30 miles at 45p, 1 passenger for 30 miles at 5p"


def test_passengers_in_a_van_past_the_threshold_still_get_5p():
    assert parts(price_journey(HMRC, "van", D("4"), 1, D("50000"))) == [(D("4"), 25, 100), (D("4"), 5, 20)]


@pytest.mark.parametrize("vehicle", ["motorcycle", "bicycle"])
def test_no_passenger_pay_on_a_motorcycle_or_bicycle(vehicle):
    assert [line.band for line in price_journey(HMRC, vehicle, D("10"), 1, D("0"))] == [Band.FLAT]


def test_rounding_is_down_line_by_line():
    assert parts(price_journey(HMRC, "car", D("0.1"), 0, D("0"))) == [(D("0.1"), 45, 4)]  # 4.5p -> 4p
    assert parts(price_journey(HMRC, "motorcycle", D("1.1"), 0, D("0"))) == [(D("1.1"), 24, 26)]  # 26.4p
    assert parts(price_journey(HMRC, "car", D("0.1"), 1, D("0")))[1] == (D("0.1"), 5, 0)  # 0.5p -> 0p
    assert parts(price_journey(HMRC, "car", D("12.3"), 0, D("9999.9"))) == [(D("0.1"), 45, 4), (D("12.2"), 25, 305)]


def test_zero_miles_pays_nothing():
    assert price_journey(HMRC, "car", D("0"), 3, D("0")) == []


def test_never_above_the_rates_and_never_more_than_a_penny_a_line_below():
    """Every journey of 0 to 40 miles in tenths, around the threshold, with 0 to 2 passengers, every vehicle."""
    befores = [D("0"), D("9985"), D("9999.9"), D("10000"), D("10020")]
    for tenths, before, passengers, vehicle in itertools.product(range(0, 401, 7), befores, range(3), Vehicle):
        miles = D(tenths) / 10
        lines = price_journey(HMRC, vehicle, miles, passengers, before)
        driven = [line for line in lines if line.band is not Band.PASSENGER]
        assert sum((line.miles for line in driven), D(0)) == miles
        for line in lines:
            exact = line.miles * line.pence_per_mile
            assert line.pence <= exact < line.pence + 1 and isinstance(line.pence, int)
        if vehicle.counts_toward_threshold:
            first = sum((line.miles for line in driven if line.band is Band.FIRST), D(0))
            assert first == max(D(0), min(miles, 10000 - before))
        carried = [line for line in lines if line.band is Band.PASSENGER]
        assert len(carried) == (passengers if vehicle.carries_passengers and miles else 0)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"vehicle": "lorry"}, "vehicle"),
    ({"vehicle": ""}, "vehicle"),
    ({"miles": D("-0.1")}, "miles"),
    ({"miles": "lots"}, "miles"),
    ({"miles": D("NaN")}, "miles"),
    ({"miles": True}, "miles"),
    ({"passengers": -1}, "passengers"),
    ({"passengers": 1.5}, "passengers"),
    ({"miles_before": D("-1")}, "miles_before"),
])
def test_bad_values_raise_value_error(kwargs, words):
    args = {"vehicle": "car", "miles": D("10"), "passengers": 0, "miles_before": D("0")} | kwargs
    with pytest.raises(ValueError, match=words):
        price_journey(HMRC, args["vehicle"], args["miles"], args["passengers"], args["miles_before"])


# ---------------------------------------------------------------- tax years and rate changes


@pytest.mark.parametrize(("day", "year"), [
    (date(2026, 4, 5), 2025), (date(2026, 4, 6), 2026), (date(2026, 1, 1), 2025), (date(2026, 12, 31), 2026),
    (date(2025, 4, 6), 2025), (date(2027, 4, 5), 2026), (date(2024, 2, 29), 2023),
])
def test_tax_year_runs_6_april_to_5_april(day, year):
    assert rules.tax_year_of(day) == year
    first, last = rules.tax_year_bounds(year)
    assert first <= day <= last and rules.tax_year_label(2025) == "2025 to 2026"


def test_rates_in_force_on_a_day():
    assert rules.rates_on(SCHEDULE, date(2026, 9, 30)) is HMRC
    assert rules.rates_on(SCHEDULE, date(2026, 10, 1)) is LOWER
    with pytest.raises(ValueError):
        rules.rates_on(SCHEDULE, date(2011, 4, 5))


def j(id_, on, miles, vehicle="car", passengers=0, frozen=False):
    return Journey(id_, on, Vehicle(vehicle), D(miles), passengers, frozen)


def test_the_threshold_crossed_across_claims_in_date_order():
    year = [j(1, date(2026, 5, 1), "9000"), j(3, date(2026, 6, 1), "990"), j(2, date(2026, 7, 1), "30")]
    prices = price_year(year, D(0), SCHEDULE)
    assert parts(prices[1]) == [(D("9000"), 45, 405000)]
    assert parts(prices[3]) == [(D("990"), 45, 44550)]
    assert parts(prices[2]) == [(D("10"), 45, 450), (D("20"), 25, 500)]


def test_the_5_and_6_april_boundary_starts_a_new_count():
    """Miles on 5 April belong to the old tax year; on 6 April the count starts again."""
    old = [j(1, date(2026, 3, 1), "9995"), j(2, date(2026, 4, 5), "10")]
    assert parts(price_year(old, D(0), SCHEDULE)[2]) == [(D("5"), 45, 225), (D("5"), 25, 125)]
    new = [j(3, date(2026, 4, 6), "10")]
    assert parts(price_year(new, D(0), SCHEDULE)[3]) == [(D("10"), 45, 450)]


def test_a_rate_change_mid_year_prices_each_journey_at_its_own_days_rates_and_keeps_the_count():
    year = [j(1, date(2026, 9, 30), "9990"), j(2, date(2026, 10, 1), "30", passengers=1),
            j(3, date(2026, 10, 2), "10", "motorcycle"), j(4, date(2026, 9, 29), "5", "bicycle")]
    prices = price_year(year, D(0), SCHEDULE)
    assert parts(prices[2]) == [(D("10"), 40, 400), (D("20"), 20, 400), (D("30"), 4, 120)]
    assert parts(prices[3]) == [(D("10"), 20, 200)]
    assert parts(prices[4]) == [(D("5"), 20, 100)]


def test_passenger_motorcycle_and_bicycle_miles_do_not_count_toward_the_threshold():
    year = [j(1, date(2026, 5, 1), "9990", passengers=3), j(2, date(2026, 5, 2), "500", "motorcycle"),
            j(3, date(2026, 5, 3), "500", "bicycle"), j(4, date(2026, 5, 4), "10")]
    assert parts(price_year(year, D(0), SCHEDULE)[4]) == [(D("10"), 45, 450)]
    assert rules.year_miles(year) == D("10000")


def test_declared_other_organisation_miles_count_toward_the_threshold():
    year = [j(1, date(2026, 5, 1), "100")]
    assert parts(price_year(year, D("9950"), SCHEDULE)[1]) == [(D("50"), 45, 2250), (D("50"), 25, 1250)]
    assert parts(price_year(year, D("10000"), SCHEDULE)[1]) == [(D("100"), 25, 2500)]


def test_approved_journeys_keep_their_price_and_count_first():
    approved = j(1, date(2026, 8, 1), "9990", frozen=True)
    late = j(2, date(2026, 5, 1), "20")  # claimed after, dated before
    prices = price_year([approved, late], D(0), SCHEDULE)
    assert 1 not in prices
    assert parts(prices[2]) == [(D("10"), 45, 450), (D("10"), 25, 250)]


def test_repricing_after_a_rejection_gives_later_pending_journeys_the_higher_rate_back():
    pending = [j(1, date(2026, 5, 1), "9990"), j(2, date(2026, 6, 1), "100"), j(3, date(2026, 7, 1), "20")]
    before = price_year(pending, D(0), SCHEDULE)
    assert parts(before[3]) == [(D("20"), 25, 500)]
    after = price_year([p for p in pending if p.id != 2], D(0), SCHEDULE)  # claim with journey 2 rejected
    assert parts(after[3]) == [(D("10"), 45, 450), (D("10"), 25, 250)]


def test_ties_on_one_day_go_in_the_order_they_were_added():
    year = [j(2, date(2026, 5, 1), "10"), j(1, date(2026, 5, 1), "9995")]
    prices = price_year(year, D(0), SCHEDULE)
    assert parts(prices[1]) == [(D("9995"), 45, 449775)] and prices[2][0].miles == D("5")


def test_near_threshold_warning():
    assert rules.near_threshold(D("8999.9"), 9000, 10000) is None
    assert "nearing 10,000" in rules.near_threshold(D("9000"), 9000, 10000)
    assert "past 10,000" in rules.near_threshold(D("10000"), 9000, 10000)


# ---------------------------------------------------------------- money and claim age


def test_money():
    assert rules.pounds(1234) == "£12.34" and rules.pounds(5) == "£0.05" and rules.pounds(-50) == "-£0.50"
    assert rules.pounds(123456) == "£1,234.56"
    assert rules.parse_pounds("£12.34") == 1234 and rules.parse_pounds("3") == 300 and rules.parse_pounds("0.5") == 50
    assert rules.parse_pounds("1.234") is None and rules.parse_pounds("abc") is None and rules.parse_pounds("") is None
    assert rules.format_miles(D("1")) == "1 mile" and rules.format_miles(D("12.5")) == "12.5 miles"
    assert rules.format_miles(D("10000.0")) == "10,000 miles"


def test_claims_older_than_the_policy_age_are_flagged():
    today = date(2026, 5, 31)
    assert rules.months_before(today, 3) == date(2026, 2, 28)
    assert not rules.is_old(date(2026, 2, 28), today, 3)
    assert rules.is_old(date(2026, 2, 27), today, 3)
    assert not rules.is_old(None, today, 3)


# ---------------------------------------------------------------- the contract, reading the policy file


def test_contract_reads_the_rates_in_force_from_the_policy_file(app):
    lines = rules.mileage_lines(vehicle="car", miles=D("30"), passengers=1, miles_before=D("9990"), on=date(2026, 5, 1))
    assert [(line.miles, line.pence_per_mile, line.pence) for line in lines] == [
        (D("10"), 45, 450), (D("20"), 25, 500), (D("30"), 5, 150)]
    with pytest.raises(ValueError):
        rules.mileage_lines(vehicle="tram", miles=D("1"), passengers=0, miles_before=D("0"), on=date(2026, 5, 1))


def test_contract_follows_a_rate_change_in_the_policy_file(app, tmp_path):
    policy_text = Path(app.config["POLICY_DIR"], "expenses.toml").read_text() + (
        "\n[[rates]]\nfrom = 2027-01-01\ncar_van_first = 40\ncar_van_after = 20\nthreshold_miles = 10000\n"
        "motorcycle = 24\nbicycle = 20\npassenger = 5\n")
    (tmp_path / "expenses.toml").write_text(policy_text)
    old = app.config["POLICY_DIR"]
    app.config["POLICY_DIR"] = str(tmp_path)
    try:
        kwargs = {"vehicle": "car", "miles": D("10"), "passengers": 0, "miles_before": D("0")}
        assert rules.mileage_lines(**kwargs, on=date(2026, 12, 31))[0].pence_per_mile == 45
        assert rules.mileage_lines(**kwargs, on=date(2027, 1, 1))[0].pence_per_mile == 40
    finally:
        app.config["POLICY_DIR"] = old


def test_the_policy_file_refuses_rates_above_hmrc(app, tmp_path):
    import tomllib

    from app.core.policy import PolicyFileError
    from app.expenses.policy import parse_policy

    data = tomllib.loads(Path(app.config["POLICY_DIR"], "expenses.toml").read_text())
    data["rates"][0]["car_van_first"] = 46
    with pytest.raises(PolicyFileError, match="above HMRC"):
        parse_policy(data, tmp_path / "expenses.toml")
