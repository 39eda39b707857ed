"""Evaluations: a frozen snapshot never changes (service, model and queryset refuse), two are
compared side by side, the PDF and XLSX exports open and contain the commitments."""

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import AuditEvent
from impactnum.web.plan import services
from impactnum.web.plan.evaluations import compare
from impactnum.web.plan.export import evaluation_pdf, evaluation_xlsx
from impactnum.web.plan.models import Evaluation, EvaluationFrozen

D = dt.date


@pytest.fixture
def plan(manager, commitment):
    action = services.add_action(
        manager, commitment, title="Politique de renouvellement", due_on=D(2024, 3, 1), progress=50
    )
    indicator = services.add_indicator(
        manager,
        commitment,
        name="PC de plus de 5 ans",
        kind="manual",
        unit="%",
        target_value=40,
        target_on=D(2025, 10, 1),
    )
    services.record_indicator_value(manager, indicator, on=D(2024, 4, 1), value=12, evidence="GLPI")
    return {"action": action, "indicator": indicator}


def _evaluation(manager, city, label, on, month):
    return services.create_evaluation(manager, city, label=label, on=on, month=month)


def test_freeze_keeps_the_state_and_refuses_every_change(manager, city, commitment, plan):
    e = _evaluation(manager, city, "Évaluation à 18 mois", D(2024, 4, 30), 18)
    services.update_evaluation(
        manager, e, comments="Bon départ", notes={str(commitment.pk): "à relancer"}
    )
    e = services.freeze_evaluation(manager, e)
    snap = e.snapshot
    assert e.is_frozen and e.frozen_by == manager
    c = snap["commitments"][0]
    assert c["reference"] == "E01" and c["progress"] == 50 and c["note"] == "à relancer"
    assert c["actions"][0]["late"] is True  # due 1 March, still in progress on 30 April
    assert c["indicators"][0]["value"] == 12 and c["indicators"][0]["evidence"] == "GLPI"
    assert AuditEvent.objects.filter(action="evaluation.frozen", object_id=str(e.pk)).exists()

    # later changes to the plan do not reach the frozen evaluation
    services.update_action(manager, plan["action"], status="done")
    services.update_commitment(manager, commitment, title="Autre intitulé")
    e.refresh_from_db()
    assert e.snapshot == snap

    with pytest.raises(EvaluationFrozen):
        services.update_evaluation(manager, e, comments="changé")
    with pytest.raises(EvaluationFrozen):
        services.freeze_evaluation(manager, e)
    with pytest.raises(DomainError):
        services.delete_evaluation(manager, e)
    e.comments = "directement"
    with pytest.raises(EvaluationFrozen):
        e.save()
    with pytest.raises(EvaluationFrozen):
        Evaluation.objects.filter(pk=e.pk).update(comments="en masse")
    with pytest.raises(EvaluationFrozen):
        Evaluation.objects.filter(pk=e.pk).delete()
    with pytest.raises(EvaluationFrozen):
        e.delete()
    e.refresh_from_db()
    assert e.comments == "Bon départ" and e.snapshot == snap


def test_drafts_change_and_delete_and_only_managers_freeze(manager, viewer, city, plan):
    e = _evaluation(manager, city, "Brouillon", D(2024, 4, 30), None)
    services.update_evaluation(manager, e, label="Brouillon 2")
    with pytest.raises(DomainError) as exc:
        services.freeze_evaluation(viewer, e)
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        services.update_evaluation(manager, e, notes={"999999": "x"})
    assert exc.value.field == "notes"
    services.delete_evaluation(manager, e)
    assert not Evaluation.objects.exists()


def test_compare_two_evaluations(manager, city, commitment, plan):
    first = services.freeze_evaluation(
        manager, _evaluation(manager, city, "M18", D(2024, 4, 30), 18)
    )
    services.update_action(manager, plan["action"], status="done")
    services.record_indicator_value(
        manager, plan["indicator"], on=D(2025, 9, 1), value=35, evidence="GLPI 2025"
    )
    later = services.create_commitment(
        manager, city, reference="E02", title="Sensibiliser", theme="support", source="label"
    )
    second = services.freeze_evaluation(
        manager, _evaluation(manager, city, "M36", D(2025, 10, 30), 36)
    )
    cmp = compare(first.snapshot, second.snapshot)
    rows = {r["reference"]: r for r in cmp["commitments"]}
    e01 = rows["E01"]
    assert e01["progress"] == [50, 100] and e01["progress_change"] == 50
    ind = e01["indicators"][0]
    assert ind["first"]["value"] == 12 and ind["second"]["value"] == 35 and ind["change"] == 23
    assert e01["actions"][0]["first"]["status"] == "in_progress"
    assert e01["actions"][0]["second"]["status"] == "done"
    assert rows["E02"]["progress"] == [None, None] and rows["E02"]["id"] == later.pk
    assert cmp["first"]["summary"]["actions_done"] == 0
    assert cmp["second"]["summary"]["actions_done"] == 1


def _pdf_text(data: bytes) -> str:
    """The text of an uncompressed PDF's string literals (WinAnsi, octal escapes)."""
    out = []
    for c in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data):
        raw = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m[1], 8)]), c)
        raw = re.sub(rb"\\(.)", rb"\1", raw)
        out.append(raw.decode("cp1252", errors="replace"))
    return " ".join(out)


def test_exports_open_and_contain_the_commitments(manager, city, plan):
    e = services.freeze_evaluation(
        manager, _evaluation(manager, city, "Évaluation à 18 mois", D(2024, 4, 30), 18)
    )
    wb = load_workbook(io.BytesIO(evaluation_xlsx(e, e.snapshot)))
    assert wb.sheetnames == ["Synthèse", "Engagements", "Actions", "Indicateurs"]
    rows = list(wb["Engagements"].iter_rows(values_only=True))
    assert rows[1][0] == "E01" and rows[1][1].startswith("Allonger")
    assert rows[1][5] == 50  # a number, not text
    ind = list(wb["Indicateurs"].iter_rows(values_only=True))[1]
    assert ind[1] == "PC de plus de 5 ans" and ind[3] == 12
    assert evaluation_pdf(e, e.snapshot).startswith(b"%PDF")
    text = _pdf_text(evaluation_pdf(e, e.snapshot, compress=False))
    assert "E01" in text and "Allonger" in text and "PC de plus de 5 ans" in text
