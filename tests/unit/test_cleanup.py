"""Storage cleanup: usage, candidates, protection, the automatic policy and its log."""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from generated_studies import add_study, age_study

import workstation.store.index as index_module
from workstation.config.settings import Settings
from workstation.errors import SettingsError, UnknownStudyError
from workstation.store import LocalStore
from workstation.store.cleanup import (
    CleanupOrder,
    CleanupPolicy,
    candidates,
    delete_studies,
    disk_usage,
    run_policy,
    set_protected,
    study_usage,
    touch,
)
from workstation.store.schema import MIGRATIONS

HOUR = 3600.0
LATER = time.time() + 10 * HOUR  # a "now" at which nothing counts as still arriving


def usage_of(store: LocalStore, uid: str):
    return next(u for u in study_usage(store.index) if u.study_uid == uid)


class FakeDisk:
    """Free space that grows by ``mb_per_study`` for every study the deleter removes."""

    def __init__(self, store: LocalStore, free_mb: float, mb_per_study: float) -> None:
        self.store, self.free_mb, self.mb_per_study = store, free_mb, mb_per_study
        self.deleted: list[str] = []

    def free(self) -> float:
        return self.free_mb

    def delete(self, uid: str) -> int:
        n = self.store.delete_study(uid)
        self.deleted.append(uid)
        self.free_mb += self.mb_per_study
        return n


def policy(low: int = 1000, high: int = 2000, recent: float = 30.0) -> CleanupPolicy:
    return CleanupPolicy(low_water_mb=low, high_water_mb=high, enabled=True, recent_minutes=recent)


# -- usage ------------------------------------------------------------------------------


def test_usage_size_is_the_sum_of_the_stored_files(store: LocalStore) -> None:
    uid = add_study(store, "20200101", images=3, patient_name="Doe^Jane", patient_id="ID7")
    other = add_study(store, "20210101", images=1)
    on_disk = sum(p.stat().st_size for p in (store.root / uid).rglob("*.dcm"))

    u = usage_of(store, uid)
    assert (u.size_bytes, u.instances) == (on_disk, 3)
    assert (u.patient_name, u.patient_id, u.study_date) == ("Doe^Jane", "ID7", "20200101")
    assert (u.protected, u.last_access, u.modalities) == (False, None, "CT")
    assert u.received_at is not None and u.received_at >= u.created_at
    assert usage_of(store, other).instances == 1
    assert disk_usage(store).store_mb * 1_048_576 == pytest.approx(
        on_disk + usage_of(store, other).size_bytes
    )


def test_usage_of_an_empty_store_and_of_chosen_studies(store: LocalStore) -> None:
    assert study_usage(store.index) == []
    a = add_study(store, "20200101")
    add_study(store, "20200102")
    assert [u.study_uid for u in study_usage(store.index, [a])] == [a]
    assert study_usage(store.index, []) == []


def test_set_protected_and_touch_are_stored_in_the_index(store: LocalStore) -> None:
    uid = add_study(store, "20200101")
    set_protected(store.index, uid, True)
    assert usage_of(store, uid).protected is True
    set_protected(store.index, uid, False)
    assert usage_of(store, uid).protected is False
    assert touch(store.index, uid, when=1234.5) is True
    assert usage_of(store, uid).last_access == 1234.5


def test_unknown_study_refused_by_protect_and_ignored_by_touch(store: LocalStore) -> None:
    with pytest.raises(UnknownStudyError) as err:
        set_protected(store.index, "1.2.3.4", True)
    assert err.value.values["study_uid"] == "1.2.3.4"
    assert touch(store.index, "1.2.3.4") is False


def test_protection_survives_new_instances_of_the_study(store: LocalStore) -> None:
    uid = add_study(store, "20200101")
    set_protected(store.index, uid, True)
    # another instance of the same study arrives later
    import pydicom
    from pydicom.uid import generate_uid

    path = next((store.root / uid).rglob("*.dcm"))
    ds = pydicom.dcmread(path)
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.save_as(path.with_name("new.dcm"))
    store.add_file(path.with_name("new.dcm"))
    path.with_name("new.dcm").unlink()
    u = usage_of(store, uid)
    assert (u.instances, u.protected) == (2, True)


# -- candidates -------------------------------------------------------------------------


def test_candidates_order_by_study_date_then_arrival(store: LocalStore) -> None:
    new = add_study(store, "20230101")
    old_late = add_study(store, "20190101")
    old_early = add_study(store, "20190101")
    age_study(store, old_early, 2 * HOUR)
    mid = add_study(store, "20200615")
    assert [u.study_uid for u in candidates(store.index, CleanupOrder.STUDY_DATE)] == [
        old_early,
        old_late,
        mid,
        new,
    ]


def test_candidates_order_by_size_largest_first(store: LocalStore) -> None:
    one = add_study(store, "20200101", images=1)
    three = add_study(store, "20210101", images=3)
    two = add_study(store, "20220101", images=2)
    assert [u.study_uid for u in candidates(store.index, "size")] == [three, two, one]


def test_candidates_order_by_last_access_least_recently_used_first(store: LocalStore) -> None:
    opened_long_ago = add_study(store, "20230101")
    never_opened_new = add_study(store, "20190101")
    opened_recently = add_study(store, "20200101")
    for uid in (opened_long_ago, opened_recently):
        age_study(store, uid, 30 * 24 * HOUR)
    age_study(store, never_opened_new, HOUR)
    now = time.time()
    touch(store.index, opened_long_ago, when=now - 20 * 24 * HOUR)
    touch(store.index, opened_recently, when=now - 60)
    # received an hour ago and never opened: used more recently than one opened weeks ago
    assert [u.study_uid for u in candidates(store.index, CleanupOrder.LAST_ACCESS)] == [
        opened_long_ago,
        never_opened_new,
        opened_recently,
    ]


def test_candidates_filters_by_age_and_size(store: LocalStore) -> None:
    old_small = add_study(store, "20100101", images=1)
    old_big = add_study(store, "20100102", images=3)
    add_study(store, "20240101", images=3)
    older = candidates(store.index, older_than=date(2020, 1, 1))
    assert {u.study_uid for u in older} == {old_small, old_big}
    one_image_mb = usage_of(store, old_small).size_mb
    big = candidates(store.index, older_than=date(2020, 1, 1), larger_than_mb=one_image_mb * 2)
    assert [u.study_uid for u in big] == [old_big]


def test_missing_study_date_ages_by_arrival_day(store: LocalStore) -> None:
    undated = add_study(store, "")
    u = usage_of(store, undated)
    assert u.age_date == datetime.fromtimestamp(u.created_at).date()
    assert candidates(store.index, older_than=date(2000, 1, 1)) == []


def test_candidates_leave_out_protected_unless_asked(store: LocalStore) -> None:
    kept = add_study(store, "20100101")
    hooked = add_study(store, "20110101")
    free = add_study(store, "20120101")
    set_protected(store.index, kept, True)
    hook = {hooked}.__contains__
    assert [u.study_uid for u in candidates(store.index, is_protected_fn=hook)] == [free]
    everything = candidates(store.index, include_protected=True, is_protected_fn=hook)
    assert [u.study_uid for u in everything] == [kept, hooked, free]


# -- the policy -------------------------------------------------------------------------


def test_policy_rejects_high_water_not_above_low_water() -> None:
    with pytest.raises(SettingsError) as err:
        CleanupPolicy(low_water_mb=500, high_water_mb=500)
    assert err.value.values["field"] == "storage.cleanup_high_water_mb"
    with pytest.raises(SettingsError):
        Settings().updated(cleanup_low_water_mb=3000, cleanup_high_water_mb=2000)
    s = Settings().updated(cleanup_enabled=True, cleanup_low_water_mb=10, cleanup_high_water_mb=20)
    assert CleanupPolicy.from_settings(s) == CleanupPolicy(10, 20, enabled=True)
    assert Settings().storage.cleanup_enabled is False


def test_disabled_policy_deletes_nothing(store: LocalStore) -> None:
    add_study(store, "20100101")
    disk = FakeDisk(store, free_mb=10, mb_per_study=100)
    off = CleanupPolicy(low_water_mb=1000, high_water_mb=2000, enabled=False)
    report = run_policy(store, off, free_mb_fn=disk.free, deleter=disk.delete, now_fn=lambda: LATER)
    assert (report.triggered, disk.deleted) == (False, [])


def test_policy_does_nothing_above_the_low_water_mark(store: LocalStore) -> None:
    add_study(store, "20100101")
    disk = FakeDisk(store, free_mb=1500, mb_per_study=100)
    report = run_policy(
        store, policy(), free_mb_fn=disk.free, deleter=disk.delete, now_fn=lambda: LATER
    )
    assert (report.triggered, disk.deleted, store.index.count("study")) == (False, [], 1)


def test_policy_deletes_oldest_first_and_stops_at_the_high_water_mark(store: LocalStore) -> None:
    uids = {d: add_study(store, d) for d in ("20220101", "20180101", "20200101", "20190101")}
    disk = FakeDisk(store, free_mb=900, mb_per_study=500)  # 900 -> 1400 -> 1900 -> 2400
    report = run_policy(
        store, policy(), free_mb_fn=disk.free, deleter=disk.delete, now_fn=lambda: LATER
    )
    oldest_three = [uids["20180101"], uids["20190101"], uids["20200101"]]
    assert disk.deleted == oldest_three
    assert [u.study_uid for u in report.deleted] == oldest_three
    assert [u.study_uid for u in study_usage(store.index)] == [uids["20220101"]]
    assert (report.triggered, report.start_free_mb, report.final_free_mb) == (True, 900, 2400)
    assert report.still_short_mb == 0
    assert not (store.root / uids["20180101"]).exists()


def test_policy_never_deletes_protected_studies_even_when_short(store: LocalStore) -> None:
    kept_user = add_study(store, "20100101")
    kept_hook = add_study(store, "20110101")
    deletable = add_study(store, "20200101")
    set_protected(store.index, kept_user, True)
    disk = FakeDisk(store, free_mb=100, mb_per_study=300)
    report = run_policy(
        store,
        policy(),
        free_mb_fn=disk.free,
        deleter=disk.delete,
        is_protected_fn=lambda uid: uid == kept_hook,
        now_fn=lambda: LATER,
    )
    assert disk.deleted == [deletable]
    assert report.skipped_protected == [kept_user, kept_hook]
    assert report.still_short_mb == pytest.approx(2000 - 400)
    assert {u.study_uid for u in study_usage(store.index)} == {kept_user, kept_hook}


def test_a_failing_protection_hook_counts_as_protected(store: LocalStore) -> None:
    uid = add_study(store, "20100101")

    def broken(study_uid: str) -> bool:
        raise RuntimeError("commitment database unavailable")

    disk = FakeDisk(store, free_mb=100, mb_per_study=5000)
    report = run_policy(
        store,
        policy(),
        free_mb_fn=disk.free,
        deleter=disk.delete,
        is_protected_fn=broken,
        now_fn=lambda: LATER,
    )
    assert (disk.deleted, report.skipped_protected) == ([], [uid])


def test_policy_skips_studies_still_being_received(store: LocalStore) -> None:
    arriving = add_study(store, "20000101")  # oldest, but its last image came a minute ago
    age_study(store, arriving, 60)
    done = add_study(store, "20100101")
    age_study(store, done, 2 * HOUR)
    disk = FakeDisk(store, free_mb=100, mb_per_study=5000)
    report = run_policy(store, policy(recent=30), free_mb_fn=disk.free, deleter=disk.delete)
    assert disk.deleted == [done]
    assert report.skipped_recent == [arriving]
    assert usage_of(store, arriving).instances == 1


def test_every_automatic_deletion_is_logged(store: LocalStore, caplog) -> None:
    uids = [
        add_study(store, d, images=n, patient_name="Secret^Name")
        for d, n in (("20100101", 2), ("20110101", 1))
    ]
    sizes = {u: usage_of(store, u).size_mb for u in uids}
    disk = FakeDisk(store, free_mb=100, mb_per_study=10)
    with caplog.at_level(logging.INFO, logger="workstation.store.cleanup"):
        report = run_policy(
            store, policy(), free_mb_fn=disk.free, deleter=disk.delete, now_fn=lambda: LATER
        )
    assert len(report.deleted) == 2
    deletions = [r for r in caplog.records if "deleted study" in r.getMessage()]
    assert len(deletions) == 2
    for record, uid, day in zip(deletions, uids, ("20100101", "20110101"), strict=True):
        text = record.getMessage()
        assert record.levelno == logging.WARNING
        assert uid in text and day in text and f"{sizes[uid]:.1f} MB" in text
        assert "below the low-water mark of 1000 MB" in text
    assert any("short of the high-water mark" in r.getMessage() for r in caplog.records)
    assert not any("Secret" in r.getMessage() for r in caplog.records)


def test_a_failed_deletion_is_reported_and_the_policy_goes_on(store: LocalStore) -> None:
    first = add_study(store, "20100101")
    second = add_study(store, "20110101")
    disk = FakeDisk(store, free_mb=100, mb_per_study=5000)

    def deleter(uid: str) -> int:
        if uid == first:
            raise PermissionError("read-only file system")
        return disk.delete(uid)

    report = run_policy(
        store, policy(), free_mb_fn=disk.free, deleter=deleter, now_fn=lambda: LATER
    )
    assert [uid for uid, _ in report.failed] == [first]
    assert disk.deleted == [second]


def test_policy_with_the_real_deleter_removes_files_and_rows(store: LocalStore) -> None:
    uid = add_study(store, "20100101", images=2)
    free = iter([10.0, 5000.0])
    report = run_policy(store, policy(), free_mb_fn=lambda: next(free), now_fn=lambda: LATER)
    assert [u.study_uid for u in report.deleted] == [uid]
    assert store.index.count("instance") == 0
    assert not (store.root / uid).exists()


# -- deletion by the user ---------------------------------------------------------------


def test_delete_studies_keeps_protected_and_reports_progress(store: LocalStore) -> None:
    a, b, c = (add_study(store, d) for d in ("20100101", "20110101", "20120101"))
    set_protected(store.index, b, True)
    seen: list[tuple[int, int]] = []
    report = delete_studies(store, [a, b, c, "1.2.3"], progress=lambda d, t: seen.append((d, t)))
    assert [u.study_uid for u in report.deleted] == [a, c]
    assert (report.skipped_protected, report.missing) == ([b], ["1.2.3"])
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [u.study_uid for u in study_usage(store.index)] == [b]


def test_delete_studies_stops_when_cancelled(store: LocalStore) -> None:
    a, b = add_study(store, "20100101"), add_study(store, "20110101")
    calls = iter([False, True])
    report = delete_studies(store, [a, b], cancelled=lambda: next(calls))
    assert report.cancelled and [u.study_uid for u in report.deleted] == [a]
    assert store.index.count("study") == 1


# -- schema -----------------------------------------------------------------------------


def test_a_version_1_index_upgrades_to_version_2(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(index_module, "MIGRATIONS", MIGRATIONS[:1])
    with LocalStore(tmp_path / "data") as old:
        assert old.index.schema_version() == 1
        uid = add_study(old, "20150101", images=2)
        on_disk = sum(p.stat().st_size for p in (old.root / uid).rglob("*.dcm"))
    monkeypatch.undo()

    with LocalStore(tmp_path / "data") as new:
        assert new.index.schema_version() == len(MIGRATIONS) >= 2
        assert new.last_check is not None and new.last_check.clean
        u = usage_of(new, uid)
        assert (u.size_bytes, u.instances, u.protected, u.last_access) == (on_disk, 2, False, None)
        set_protected(new.index, uid, True)
        touch(new.index, uid, when=42.0)
    db = sqlite3.connect(tmp_path / "data" / "index.sqlite")
    try:
        cols = {r[1] for r in db.execute("PRAGMA table_info(study)")}
        indexes = {r[1] for r in db.execute("PRAGMA index_list(instance)")}
        row = db.execute("SELECT protected, last_access FROM study").fetchone()
    finally:
        db.close()
    assert {"protected", "last_access"} <= cols
    assert "instance_usage_ix" in indexes
    assert row == (1, 42.0)


def test_rebuilding_the_index_keeps_protection_and_last_access(store: LocalStore) -> None:
    kept = add_study(store, "20100101")
    opened = add_study(store, "20110101")
    set_protected(store.index, kept, True)
    touch(store.index, opened, when=99.0)
    store.rebuild_index()
    assert usage_of(store, kept).protected is True
    assert usage_of(store, opened).last_access == 99.0
    assert usage_of(store, opened).protected is False
