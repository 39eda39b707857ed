"""Stored projects' results are computed once per distinct input and handed out as copies."""

from impactnum.web.projects import services
from impactnum.web.projects.models import EquipmentLine


def test_same_inputs_computed_once_and_each_caller_gets_its_own_copy(monkeypatch, project, admin):
    calls = []
    real = services.run_document
    monkeypatch.setattr(services, "run_document", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = services.calculate(admin, project)
    first["totals"] = "changed by a caller"
    second = services.calculate(admin, project)
    assert len(calls) == 1
    assert second["totals"] != "changed by a caller" and second == services.calculate(
        admin, project
    )


def test_an_edit_or_an_override_is_a_new_computation(project, admin, city):
    before = services.calculate(admin, project)
    line = EquipmentLine.objects.filter(scenario__project=project).first()
    line.quantity = line.quantity * 2
    line.save()
    after_edit = services.calculate(admin, project)
    assert after_edit["totals"] != before["totals"]
    services.set_override(
        admin,
        city,
        family="electricity",
        key="FRA",
        criterion="gwp",
        value=0.5,  # ten times the set's French electricity
        source="test",
    )
    after_override = services.calculate(admin, project)
    assert after_override["totals"] != after_edit["totals"]
