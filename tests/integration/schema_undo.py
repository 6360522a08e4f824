"""What each schema version added, taken away: tests that make the
database of an older expertd take a real database back to a version,
latest change first, so every later migration runs again on start."""

# UNDO[v] takes the schema from version v back to v - 1 (only the parts
# the tests rely on: tables, indexes, triggers and columns it added).
UNDO = {
    16: (),                                                  # draft 16: no table
    15: ("DROP TRIGGER ledger_withdrawn_keep",              # corrections
         "DROP TRIGGER ledger_withdrawn_fixed", "DROP TABLE ledger_withdrawn"),
    14: ("ALTER TABLE experts DROP COLUMN relax_occupations",  # 紧缺工种/新职业
         "ALTER TABLE experts DROP COLUMN eligible_specialties"),
    13: ("DROP TRIGGER unavailability_shrinks",                # withdrawn periods
         "DROP TRIGGER unavailability_fixed",
         "ALTER TABLE unavailability DROP COLUMN withdrawn",
         "CREATE TRIGGER unavailability_fixed BEFORE UPDATE ON unavailability"
         "  BEGIN SELECT RAISE(ABORT, 'unavailability is never edited'); END",
         "ALTER TABLE expert_events DROP COLUMN ground_label",  # grounds' labels
         "ALTER TABLE expert_events DROP COLUMN ground_label_en"),
    12: ("DROP TRIGGER appointments_keep", "DROP TABLE appointments",  # appointment
         "DROP TRIGGER expert_forms_keep", "DROP TABLE expert_forms",
         "ALTER TABLE experts DROP COLUMN appointment",
         "ALTER TABLE imports DROP COLUMN appointed"),
    11: ("DROP TRIGGER tokens_spent", "DROP TRIGGER spent_tokens_keep",  # spent tokens
         "DROP TABLE spent_tokens"),
    10: ("DROP INDEX experts_by_resident_ix",               # sealed personal data
         "ALTER TABLE experts DROP COLUMN resident_ix",
         "DELETE FROM meta WHERE key = 'pii.key_id'"),
    9: ("DROP TRIGGER task_quotas_keep", "DROP TABLE task_quotas",   # mixed panels
        "ALTER TABLE assignments DROP COLUMN quota"),
    8: ("ALTER TABLE tasks DROP COLUMN respond_reason",     # short response window
        "ALTER TABLE expert_events DROP COLUMN ground",     # grounds of 第十七条
        "ALTER TABLE expert_events DROP COLUMN referral",
        "DROP TRIGGER unavailability_keep", "DROP TRIGGER unavailability_fixed",
        "DROP INDEX unavailability_by_expert",
        "DROP TABLE unavailability"),                       # rule 12
    7: tuple("ALTER TABLE experts DROP COLUMN " + c for c in (    # 第十一条
        "age_exception", "relax_evidence", "relax_by", "relax_at", "age_reason",
        "age_by", "age_at")) + (
        "ALTER TABLE imports DROP COLUMN age_lines",
        "ALTER TABLE imports DROP COLUMN age_reason"),
    6: ("ALTER TABLE tasks DROP COLUMN leader_expert",      # designated leader
        "ALTER TABLE tasks DROP COLUMN leader_reason"),
    5: ("DROP TRIGGER occupations_keep", "DROP TABLE occupation_aliases",
        "DROP TABLE occupations"),                          # occupation catalogue
    4: ("DROP TRIGGER orgs_keep", "DROP INDEX experts_by_employer",
        "DROP INDEX experts_by_recommender", "DROP TABLE org_names",
        "DROP TABLE orgs"),                                 # organisation registry
}
LATEST = max(UNDO)


def undo_to(version):
    """The statements taking the latest schema back to `version` (>= 3),
    without setting user_version."""
    return tuple(sql for v in range(LATEST, version, -1) for sql in UNDO[v])


def downgrade(conn, version):
    """Take the database on conn back to `version` and say so."""
    for sql in undo_to(version) + ("PRAGMA user_version = %d" % version,):
        conn.execute(sql)
