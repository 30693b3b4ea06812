"""Meeting kinds, event places and audiences become keys of the agreement's vocabularies.

Stored keys stay as they were (`quarterly`, `wco`, `other` for meetings), so meetings migrate
as-is. An event's "in the United States" flag becomes the place key `us` or `abroad`, and its
three audience flags the audience keys the agreement file names for them — the keys of the
only agreement whose events used those flags.
"""

from django.db import migrations, models

AUDIENCE_FLAGS = {
    "audience_platforms": "platforms",
    "audience_enterprises": "enterprises",
    "audience_financial_technology": "financial_technology",
}


def flags_to_keys(apps, schema_editor):
    for name in ("OutreachEvent", "HistoricalOutreachEvent"):
        model = apps.get_model("activities", name)
        for event in model.objects.all().iterator():
            event.place = "us" if event.in_united_states else "abroad"
            event.audiences = [key for flag, key in AUDIENCE_FLAGS.items() if getattr(event, flag)]
            event.save(update_fields=["place", "audiences"])


def keys_to_flags(apps, schema_editor):
    for name in ("OutreachEvent", "HistoricalOutreachEvent"):
        model = apps.get_model("activities", name)
        for event in model.objects.all().iterator():
            event.in_united_states = event.place == "us"
            for flag, key in AUDIENCE_FLAGS.items():
                setattr(event, flag, key in event.audiences)
            event.save(update_fields=["in_united_states", *AUDIENCE_FLAGS])


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_commitment_wording"),
        ("agreements", "0007_obligations_and_vocabularies"),
    ]

    operations = [
        migrations.AlterField(
            model_name="meeting",
            name="kind",
            field=models.CharField(help_text="One of the agreement's meeting kinds (a vocabulary key).", max_length=40),
        ),
        migrations.AlterField(
            model_name="historicalmeeting",
            name="kind",
            field=models.CharField(help_text="One of the agreement's meeting kinds (a vocabulary key).", max_length=40),
        ),
        *(
            migrations.AddField(
                model_name=model,
                name="place",
                field=models.CharField(
                    blank=True,
                    help_text="One of the agreement's event places (a vocabulary key).",
                    max_length=40,
                    verbose_name="where",
                ),
            )
            for model in ("outreachevent", "historicaloutreachevent")
        ),
        *(
            migrations.AddField(
                model_name=model,
                name="audiences",
                field=models.JSONField(
                    blank=True,
                    default=list,
                    help_text="The agreement's audiences the event reached (vocabulary keys).",
                ),
            )
            for model in ("outreachevent", "historicaloutreachevent")
        ),
        migrations.RunPython(flags_to_keys, keys_to_flags),
        *(
            migrations.RemoveField(model_name=model, name=field)
            for model in ("outreachevent", "historicaloutreachevent")
            for field in ("in_united_states", *AUDIENCE_FLAGS)
        ),
    ]
