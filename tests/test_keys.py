"""Keys for a cluster: made once (`onevisit keys --create`), read by every node from
ONEVISIT_KEYS_DIR; a node told not to make keys stops rather than sign with a key of its own."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from onevisit.inspections import keyring
from onevisit.lib.keyfiles import KeyNotProvided, read_or_create


def test_it_refuses_to_make_a_key_on_a_node_that_must_be_given_one(tmp_path: Path) -> None:
    with (
        override_settings(ONEVISIT_KEYS_DIR=tmp_path, ONEVISIT_CREATE_KEYS=False),
        pytest.raises(KeyNotProvided, match="onevisit keys --create"),
    ):
        read_or_create(keyring.key_path(), keyring.make_key)
    assert not list(tmp_path.iterdir())


@pytest.mark.django_db
def test_it_makes_the_missing_keys_once_and_lists_their_fingerprints(tmp_path: Path) -> None:
    with override_settings(ONEVISIT_KEYS_DIR=tmp_path, ONEVISIT_CREATE_KEYS=False):
        before = io.StringIO()
        call_command("keys", stdout=before)
        assert "3 missing" in before.getvalue()
        made = io.StringIO()
        call_command("keys", "--create", stdout=made)
        again = io.StringIO()
        call_command("keys", stdout=again)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "audit.sm2.pem",
        "inspection-codes.sm2.pem",
        "tips-identity.sm4",
    ]
    assert made.getvalue().count("created") == 3
    fingerprints = [line.split()[-1] for line in made.getvalue().splitlines()]
    assert [line.split()[-1] for line in again.getvalue().splitlines()] == fingerprints
    assert again.getvalue().count("present") == 3


def test_it_stores_files_in_the_bucket_when_one_is_configured(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ONEVISIT_DATA_DIR": str(tmp_path),
        "ONEVISIT_S3_BUCKET": "onevisit-files",
        "ONEVISIT_S3_ENDPOINT_URL": "http://127.0.0.1:8333",
        "DJANGO_SETTINGS_MODULE": "onevisit.settings",
    }
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; s = settings.STORAGES['default'];"
            "print(s['BACKEND'], s['OPTIONS']['bucket_name'], s['OPTIONS']['endpoint_url'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert shown == ["storages.backends.s3.S3Storage", "onevisit-files", "http://127.0.0.1:8333"]


def test_it_makes_the_keys_of_a_data_folder_not_yet_migrated(tmp_path: Path) -> None:
    """`onevisit keys --create` comes before the first `migrate` of a new deployment."""
    env = {
        **os.environ,
        "ONEVISIT_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "onevisit.settings",
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "onevisit", "keys", "--create"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("created") == 3 and "Traceback" not in done.stderr
