"""The index schema as numbered migrations. Never edit a released step: add one."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: patient / study / series / instance; 'attrs' keeps the level's C-FIND keys as flat JSON
    """
    CREATE TABLE patient (
        id INTEGER PRIMARY KEY,
        patient_id TEXT NOT NULL DEFAULT '',
        issuer TEXT NOT NULL DEFAULT '',
        patient_name TEXT NOT NULL DEFAULT '',
        patient_name_fold TEXT NOT NULL DEFAULT '',
        birth_date TEXT NOT NULL DEFAULT '',
        sex TEXT NOT NULL DEFAULT '',
        attrs TEXT NOT NULL DEFAULT '{}',
        UNIQUE (patient_id, issuer, patient_name, birth_date)
    );
    CREATE INDEX patient_name_fold_ix ON patient (patient_name_fold);
    CREATE INDEX patient_id_ix ON patient (patient_id);

    CREATE TABLE study (
        id INTEGER PRIMARY KEY,
        study_uid TEXT NOT NULL UNIQUE,
        patient_fk INTEGER NOT NULL REFERENCES patient (id),
        study_date TEXT NOT NULL DEFAULT '',
        study_time TEXT NOT NULL DEFAULT '',
        accession_number TEXT NOT NULL DEFAULT '',
        study_id TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        referring_physician TEXT NOT NULL DEFAULT '',
        referring_physician_fold TEXT NOT NULL DEFAULT '',
        charset TEXT NOT NULL DEFAULT '',
        attrs TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
    );
    CREATE INDEX study_patient_ix ON study (patient_fk);
    CREATE INDEX study_date_ix ON study (study_date);
    CREATE INDEX study_accession_ix ON study (accession_number);

    CREATE TABLE series (
        id INTEGER PRIMARY KEY,
        series_uid TEXT NOT NULL UNIQUE,
        study_fk INTEGER NOT NULL REFERENCES study (id),
        modality TEXT NOT NULL DEFAULT '',
        series_number INTEGER,
        description TEXT NOT NULL DEFAULT '',
        body_part TEXT NOT NULL DEFAULT '',
        series_date TEXT NOT NULL DEFAULT '',
        series_time TEXT NOT NULL DEFAULT '',
        attrs TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
    );
    CREATE INDEX series_study_ix ON series (study_fk);

    CREATE TABLE instance (
        id INTEGER PRIMARY KEY,
        sop_uid TEXT NOT NULL UNIQUE,
        series_fk INTEGER NOT NULL REFERENCES series (id),
        sop_class_uid TEXT NOT NULL,
        instance_number INTEGER,
        transfer_syntax TEXT NOT NULL DEFAULT '',
        rel_path TEXT NOT NULL UNIQUE,
        file_size INTEGER NOT NULL,
        rows INTEGER,
        columns INTEGER,
        frames INTEGER,
        content_date TEXT NOT NULL DEFAULT '',
        content_time TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        attrs TEXT NOT NULL DEFAULT '{}',
        received_at REAL NOT NULL
    );
    CREATE INDEX instance_series_ix ON instance (series_fk);
    """,
    # 2: storage management. 'protected' is set by the user (the cleanup policy never
    # deletes such a study); 'last_access' is when a viewer last opened the study (epoch
    # seconds, NULL = never). The covering index lets per-study size and newest-received
    # sums read the index alone instead of every instance row.
    """
    ALTER TABLE study ADD COLUMN protected INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE study ADD COLUMN last_access REAL;
    CREATE INDEX instance_usage_ix ON instance (series_fk, file_size, received_at);
    """,
    # 3: storage commitment (SCU role): one row per Transaction UID we sent an N-ACTION for
    # ('state' pending, committed, partly, failed; 'deadline' epoch seconds after which a
    # pending one is commit failed), one row per referenced instance with its result
    # (pending, success, failed) and the DICOM Failure Reason when the peer gave one.
    """
    CREATE TABLE commit_transaction (
        transaction_uid TEXT PRIMARY KEY,
        node_name TEXT NOT NULL,
        node_ae TEXT NOT NULL,
        created_at REAL NOT NULL,
        deadline REAL NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        completed_at REAL,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX commit_transaction_state_ix ON commit_transaction (state, deadline);
    CREATE TABLE commit_item (
        transaction_uid TEXT NOT NULL
            REFERENCES commit_transaction (transaction_uid) ON DELETE CASCADE,
        sop_class_uid TEXT NOT NULL,
        sop_uid TEXT NOT NULL,
        study_uid TEXT NOT NULL DEFAULT '',
        result TEXT NOT NULL DEFAULT 'pending',
        failure_reason INTEGER,
        PRIMARY KEY (transaction_uid, sop_uid)
    );
    CREATE INDEX commit_item_study_ix ON commit_item (study_uid);
    CREATE INDEX commit_item_sop_ix ON commit_item (sop_uid);
    """,
    # 4: send state (Storage SCU): per send job ('batch', the job's send id) and instance
    # the last outcome at the destination node: stored, warning, duplicate (on the peer),
    # failed or refused (not there), with the DIMSE status (NULL: no response) and the
    # transfer syntax it went in. A retry of the job skips what its batch already stored.
    """
    CREATE TABLE send_record (
        batch TEXT NOT NULL,
        node_name TEXT NOT NULL,
        node_ae TEXT NOT NULL,
        study_uid TEXT NOT NULL,
        series_uid TEXT NOT NULL,
        sop_uid TEXT NOT NULL,
        sop_class_uid TEXT NOT NULL,
        outcome TEXT NOT NULL,
        status INTEGER,
        transfer_syntax TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        sent_at REAL NOT NULL,
        PRIMARY KEY (batch, sop_uid)
    );
    CREATE INDEX send_record_study_ix ON send_record (study_uid, node_name, sent_at);
    CREATE INDEX send_record_sop_ix ON send_record (sop_uid, node_name);
    """,
    # 5: storage commitment (SCP role): a report we owe a requester, written before the
    # N-ACTION is answered and deleted once delivered (a restart sends what is left);
    # 'refs' the referenced (class, instance) pairs as JSON
    """
    CREATE TABLE commit_owed (
        transaction_uid TEXT NOT NULL,
        calling_ae TEXT NOT NULL,
        refs TEXT NOT NULL,
        received_at REAL NOT NULL,
        PRIMARY KEY (transaction_uid, calling_ae)
    );
    """,
    # 6: procedure steps (services/exam.py): one row per Performed Procedure Step we
    # opened ('registration' JSON with the worklist item; 'state' open, completed,
    # discontinued; 'mpps_state' not_sent, in_progress, completed, discontinued, failed;
    # 'create_job' / 'set_job' the MPPS job ids, 0 = claimed and not yet queued), and
    # one row per instance that entered the step ('source_key': what its series was
    # made for, so that one source series or kind stays one new series)
    """
    CREATE TABLE procedure_step (
        step_id TEXT PRIMARY KEY,
        mpps_uid TEXT NOT NULL UNIQUE,
        study_uid TEXT NOT NULL DEFAULT '',
        registration TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'open',
        mpps_state TEXT NOT NULL DEFAULT 'not_sent',
        mpps_error TEXT NOT NULL DEFAULT '',
        mpps_created INTEGER NOT NULL DEFAULT 0,
        discontinue_code TEXT NOT NULL DEFAULT '',
        operator TEXT NOT NULL DEFAULT '',
        station_aet TEXT NOT NULL DEFAULT '',
        station_name TEXT NOT NULL DEFAULT '',
        started_at TEXT NOT NULL,
        ended_at TEXT NOT NULL DEFAULT '',
        create_job INTEGER,
        set_job INTEGER,
        after_exam_done INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE INDEX procedure_step_study_ix ON procedure_step (study_uid, state);
    CREATE TABLE step_instance (
        step_id TEXT NOT NULL REFERENCES procedure_step (step_id) ON DELETE CASCADE,
        sop_class_uid TEXT NOT NULL,
        sop_uid TEXT NOT NULL,
        series_uid TEXT NOT NULL,
        source_key TEXT NOT NULL DEFAULT '',
        added_at REAL NOT NULL,
        PRIMARY KEY (step_id, sop_uid)
    );
    CREATE INDEX step_instance_source_ix ON step_instance (step_id, source_key);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
