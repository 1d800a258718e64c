"""Each request answered before the thread existed gets its answer (and rating) as round 1."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Concern = apps.get_model("liaison", "Concern")
    Reply = apps.get_model("liaison", "Reply")
    Reply.objects.bulk_create(
        Reply(
            concern=concern,
            number=1,
            answer=concern.answer,
            answered_at=concern.answered_at,
            answered_by_id=concern.answered_by_id,
            rating=concern.rating,
            rating_comment=concern.rating_comment,
            rated_at=concern.rated_at,
            reopen_reason=concern.reopen_reason,
        )
        for concern in Concern.objects.exclude(answer="").exclude(answered_at=None)
    )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("liaison", "Reply").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("liaison", "0002_answers_as_a_thread")]
    operations = [migrations.RunPython(forwards, backwards)]
