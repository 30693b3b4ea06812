"""Each item's `latest_update_on` (agreements 0013), kept by PostgreSQL triggers on the updates.

Why triggers: "stale" (no update in 90 days) is asked of every item a party leads on each My
work and each weekly digest: 38,000 items at scale 10, an index probe into five million updates
each (85-250 ms) at every My work after any save. The latest as-of day kept on the item makes it
a comparison. Kept by the database, like the search documents (search 0002), it cannot go stale
whatever writes the updates: the services, the API, a factory, `bulk_create`, the bench's
INSERT ... SELECT, plain SQL.

Statement-level triggers with transition tables: one statement that inserts five million updates
updates each item once, not five million times. An insert can only raise an item's latest day;
an edit (the as-of day may move back, a row may move to another item) or a delete takes the
day of the items the rows left again from their updates (progress_latest_idx), and raises the
day of the items an edit moved them to. PostgreSQL only: SQLite, the development default, has no transition
tables, and `CommitmentQuerySet.stale` asks the updates there.
"""

from django.db import migrations

UPDATES = "activities_progressupdate"
ITEMS = "agreements_commitment"

FORWARD = f"""
-- New rows can only raise their items' day.
CREATE FUNCTION moa_latest_update_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {ITEMS} AS c SET latest_update_on = added.latest
    FROM (SELECT commitment_id, max(as_of) AS latest FROM new_updates GROUP BY commitment_id) AS added
    WHERE c.id = added.commitment_id
      AND (c.latest_update_on IS NULL OR c.latest_update_on < added.latest);
    RETURN NULL;
END $$;

-- The items rows left or changed (an as-of day moved back, a row deleted): their day taken again.
CREATE FUNCTION moa_latest_update_retaken() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {ITEMS} AS c SET latest_update_on = taken.day
    FROM (
        SELECT item.id, (SELECT max(u.as_of) FROM {UPDATES} AS u WHERE u.commitment_id = item.id) AS day
        FROM (SELECT DISTINCT commitment_id AS id FROM old_updates) AS item
    ) AS taken
    WHERE c.id = taken.id AND c.latest_update_on IS DISTINCT FROM taken.day;
    RETURN NULL;
END $$;

CREATE TRIGGER moa_latest_update_insert AFTER INSERT ON {UPDATES}
    REFERENCING NEW TABLE AS new_updates
    FOR EACH STATEMENT EXECUTE FUNCTION moa_latest_update_added();

-- An edit is both: the rows' old items taken again, their new items raised (either order is right).
CREATE TRIGGER moa_latest_update_update_old AFTER UPDATE ON {UPDATES}
    REFERENCING OLD TABLE AS old_updates
    FOR EACH STATEMENT EXECUTE FUNCTION moa_latest_update_retaken();

CREATE TRIGGER moa_latest_update_update_new AFTER UPDATE ON {UPDATES}
    REFERENCING NEW TABLE AS new_updates
    FOR EACH STATEMENT EXECUTE FUNCTION moa_latest_update_added();

CREATE TRIGGER moa_latest_update_delete AFTER DELETE ON {UPDATES}
    REFERENCING OLD TABLE AS old_updates
    FOR EACH STATEMENT EXECUTE FUNCTION moa_latest_update_retaken();

-- The updates already recorded.
UPDATE {ITEMS} AS c SET latest_update_on = latest.day
FROM (SELECT commitment_id, max(as_of) AS day FROM {UPDATES} GROUP BY commitment_id) AS latest
WHERE c.id = latest.commitment_id;
ANALYZE {ITEMS};
"""

BACKWARD = f"""
DROP TRIGGER IF EXISTS moa_latest_update_insert ON {UPDATES};
DROP TRIGGER IF EXISTS moa_latest_update_update_old ON {UPDATES};
DROP TRIGGER IF EXISTS moa_latest_update_update_new ON {UPDATES};
DROP TRIGGER IF EXISTS moa_latest_update_delete ON {UPDATES};
DROP FUNCTION IF EXISTS moa_latest_update_added();
DROP FUNCTION IF EXISTS moa_latest_update_retaken();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0012_milestone_version"),
        ("agreements", "0013_commitment_latest_update_on"),
    ]

    operations = [migrations.RunPython(forward, backward)]
