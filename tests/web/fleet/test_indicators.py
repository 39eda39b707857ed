"""Fleet indicators on a small fleet computed by hand, and `assets_total` as a property."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactnum.cli.fleet_quotas import indicators as indicators_command
from impactnum.web.fleet import indicators, services
from impactnum.web.fleet.choices import AssetStatus, RepairBarrier, RepairOutcome
from impactnum.web.fleet.models import Asset, LifespanPolicy

D = dt.date
TODAY = D(2025, 6, 30)
S = AssetStatus


@pytest.fixture
def tech(city, make_user):
    return make_user("technician", city)


@pytest.fixture
def fleet(tech, city):
    """Laptops have a 5-year policy; the desktop its own 7 years; smartphones nothing.

    5 years before 30 June 2025 = 30 June 2020 (1826 days, one 29 February in between);
    12 months later (30 June 2026) the 5-year cut-off is 30 June 2021.
    """
    LifespanPolicy.objects.create(organisation=city, kind="laptop", years=5)
    make = services.create_asset
    f = {
        # bought before 30 June 2020: past its 5 years
        "l1": make(tech, city, kind="laptop", purchase_date=D(2019, 1, 1), price_excl_vat=900),
        # end of life between 30 June 2025 and 30 June 2026: renewal due
        "l2": make(tech, city, kind="laptop", purchase_date=D(2020, 12, 1), price_excl_vat=900),
        # young, refurbished
        "l3": make(
            tech,
            city,
            kind="laptop",
            purchase_date=D(2023, 1, 1),
            price_excl_vat=400,
            bought_refurbished=True,
        ),
        # own 7 years: end of life 1 January 2024 -> past
        "d1": make(
            tech,
            city,
            kind="desktop",
            purchase_date=D(2017, 1, 1),
            expected_lifespan_years=7,
            price_excl_vat=700,
        ),
        # no lifespan: not judged
        "s1": make(tech, city, kind="smartphone", purchase_date=D(2015, 1, 1)),
        # retired at 6.0 years: not held
        "r1": make(tech, city, kind="laptop", purchase_date=D(2015, 1, 1)),
        # on order, no date: on record, not held
        "o1": make(tech, city, kind="laptop", status=S.ORDERED),
    }
    services.change_status(tech, f["r1"], S.RETIRED, on=D(2021, 1, 1))
    r = services.open_repair(tech, f["l1"], problem="keyboard", opened_on=D(2025, 1, 10))
    services.close_repair(tech, r, outcome=RepairOutcome.FIXED, closed_on=D(2025, 1, 12))
    r = services.open_repair(tech, f["l3"], problem="screen", opened_on=D(2024, 5, 1))
    services.close_repair(
        tech,
        r,
        outcome=RepairOutcome.END_OF_LIFE,
        barrier=RepairBarrier.PARTS_UNAVAILABLE,
        closed_on=D(2024, 5, 3),
    )
    services.open_repair(tech, f["l3"], problem="battery", opened_on=D(2025, 2, 1))  # still open
    return f


def test_indicators_by_hand(city, fleet):
    data = indicators.fleet_indicators(city, TODAY)
    assert data["assets_total"] == 7
    assert data["held_total"] == 5  # l1, l2, l3 (in repair), d1, s1
    assert data["held_by_kind"] == {"desktop": 1, "laptop": 3, "smartphone": 1}
    assert data["by_status"] == {"in_repair": 1, "in_service": 4, "ordered": 1, "retired": 1}
    days = [(TODAY - d).days for d in (D(2019, 1, 1), D(2020, 12, 1), D(2023, 1, 1))]
    days += [(TODAY - D(2017, 1, 1)).days, (TODAY - D(2015, 1, 1)).days]
    assert data["average_age_years"]["value"] == pytest.approx(sum(days) / 5 / 365.25)
    # r1: 1 January 2015 -> 1 January 2021 = 2192 days
    assert data["age_at_retirement_years"] == {"value": pytest.approx(2192 / 365.25), "assets": 1}
    assert data["age_at_retirement_years_this_year"]["assets"] == 0
    rep = data["repairs"]
    # two assets repaired out of 7 on record; 1 fixed of 2 closed
    assert rep["repairs_opened"] == 3 and rep["repairs_closed"] == 2
    assert rep["repair_rate"] == pytest.approx(2 / 7)
    assert rep["repair_success_rate"] == pytest.approx(0.5)
    assert data["repairs_this_year"]["repairs_opened"] == 2
    # purchases with a date, not donated: l1, l2, l3, d1, s1, r1 -> 1 refurbished of 6;
    # spend 900 + 900 + 400 + 700 = 2900, of which 400 refurbished
    ref = data["refurbished_purchases"]
    assert ref["share_by_count"] == pytest.approx(1 / 6)
    assert ref["share_by_spend"] == pytest.approx(400 / 2900)
    assert data["past_lifespan"] == {
        "total": 2,
        "by_kind": {"desktop": 1, "laptop": 1},
        "not_judged": 1,
    }
    assert data["renewals_due_12_months"] == {"months": 12, "total": 1, "by_kind": {"laptop": 1}}
    json.dumps(data)  # JSON-ready


def test_lifespan_boundaries(tech, city):
    LifespanPolicy.objects.create(organisation=city, kind="laptop", years=5)
    make = services.create_asset
    make(tech, city, kind="laptop", purchase_date=D(2020, 6, 30))  # exactly 5 years: not past
    make(tech, city, kind="laptop", purchase_date=D(2020, 6, 29))  # one day more: past
    make(tech, city, kind="laptop", purchase_date=D(2021, 6, 29))  # due on 29 June 2026
    make(tech, city, kind="laptop", purchase_date=D(2021, 6, 30))  # due on 30 June 2026: not
    assert indicators.past_lifespan(city, TODAY)["total"] == 1
    due = indicators.renewals_due(city, TODAY)
    assert due["total"] == 2  # the 30 June 2020 one (due today) and the 29 June 2021 one


def test_empty_fleet(city):
    data = indicators.fleet_indicators(city, TODAY)
    assert data["assets_total"] == 0 and data["held_total"] == 0
    assert data["average_age_years"]["value"] is None
    assert data["repairs"]["repair_rate"] is None


def test_indicators_cli_json_and_table(city, fleet):
    runner = CliRunner()
    result = runner.invoke(
        indicators_command,
        ["--organisation", city.slug, "--format", "json", "--date", "2025-06-30"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["assets_total"] == 7
    table = runner.invoke(indicators_command, ["--organisation", city.slug])
    assert table.exit_code == 0 and "assets_total" in table.output
    unknown = runner.invoke(indicators_command, ["--organisation", "nowhere"])
    assert unknown.exit_code == 2 and "nowhere" in unknown.output


STATUS_LIST = list(S.values)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(STATUS_LIST),
            st.sampled_from(["laptop", "desktop", "monitor", "smartphone", "other"]),
            st.one_of(st.none(), st.dates(D(2005, 1, 1), D(2025, 6, 30))),
        ),
        max_size=12,
    )
)
def test_assets_total_counts_every_asset(tech, city, specs):
    Asset.objects.filter(organisation=city).delete()
    for status, kind, bought in specs:
        services.create_asset(tech, city, status=status, kind=kind, purchase_date=bought)
    data = indicators.fleet_indicators(city, TODAY)
    assert data["assets_total"] == len(specs) == Asset.objects.filter(organisation=city).count()
    assert sum(data["by_status"].values()) == len(specs)
    held = sum(1 for s, _, _ in specs if s in {S.IN_STOCK, S.IN_SERVICE, S.IN_REPAIR, S.SPARE})
    assert data["held_total"] == held
