"""Move the recovery codes django-otp's static device kept in clear into hashed codes.

Each user's unused codes keep working (the same codes, now stored as salted PBKDF2 hashes);
the clear ones are deleted with their static device. There is no way back: a hash cannot be
turned into its code again, so going back leaves the users without recovery codes (they renew
them from Sign-in security).
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import migrations

ITERATIONS = 20_000  # people.models.HASH_ITERATIONS when this was written


def hash_codes(apps, schema_editor):
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    RecoveryCodeDevice = apps.get_model("people", "RecoveryCodeDevice")
    RecoveryCode = apps.get_model("people", "RecoveryCode")
    hasher = PBKDF2PasswordHasher()
    for static in StaticDevice.objects.order_by("pk"):
        device = RecoveryCodeDevice.objects.create(
            user_id=static.user_id, name=static.name, confirmed=static.confirmed
        )
        RecoveryCode.objects.bulk_create(
            RecoveryCode(
                device=device,
                code_hash=hasher.encode(
                    token.token.strip().replace(" ", "").replace("-", "").lower(),
                    hasher.salt(),
                    iterations=ITERATIONS,
                ),
            )
            for token in static.token_set.order_by("pk")
        )
        static.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_recovery_codes_hashed"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_codes, migrations.RunPython.noop)]
