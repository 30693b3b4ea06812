from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0012_section_parent_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                fields=["agreement"], include=["id", "status"], name="commitment_agreement_cover_idx"
            ),
        ),
    ]
