"""The administrator's work: users, queues, routing rules, screening lists, retention.

Plain services over a database session (no Flask): each checks its input,
changes the rows, appends an `admin.*` audit entry naming the acting
administrator, and leaves the commit to the caller, except where the work
itself must commit (list imports, retention purges).

What an administrator can NOT do here, by design (docs/architecture.md): read a report.
Access to a case is a wrap of its report key, and only a holder of that key
can make one, so nothing on these pages can give anybody (the administrator
included) access to a case that already exists. Adding a queue member only
brings the member the cases triaged into the queue from then on; an
investigator of an existing case grants access to it on the case.
Likewise removing a member does not take away the cases the member already
holds: deleting wraps here could leave a case with no holder at all, which
no one could ever read again; access to a case is revoked on the case.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session, aliased

from crypto import PasswordCost
from reporting.accounts import service as accounts
from reporting.audit.log import append_audit
from reporting.core.blobstore import BlobStoreError, FilesystemBlobStore
from reporting.core.models import (
    CASE_ROLES,
    Attachment,
    ConsoleSession,
    HolderKind,
    Message,
    Queue,
    QueueMembership,
    Report,
    ReportPart,
    ReportStatus,
    Role,
    RoutingRule,
    User,
    Wrap,
)
from reporting.pipeline.routing_rules import (
    RoutingRulesError,
    add_rule,
    delete_rule,
    snapshot_rules,
    update_rule,
)
from reporting.pipeline.screening_lists import ImportResult, import_list_file
from reporting.pipeline.worker import may_hold_wraps_clause
from triage.screening import ListFormatError

log = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
QUEUE_SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,63}")
# Roles that work cases and so may belong to a queue; an auditor never sees
# report content (docs/architecture.md), so never holds a report key.
QUEUE_ROLES = frozenset({Role.INVESTIGATOR, Role.SUPERVISOR, Role.ADMIN})


class AdministrationError(Exception):
    """An administrative change refused; the message says why, in plain words."""


# ---------------------------------------------------------------- users


@dataclass(frozen=True)
class CredentialSheet:
    """What a user needs once to sign in: shown on one page, never stored.

    After an enrolment: a password and a TOTP secret. After a second-factor
    reset: only the new TOTP secret. After a password reset: only the new
    password, with the fingerprint of the new key pair and how many case
    wraps went with the old one. A password on a sheet is one an
    administrator saw, so the user must replace it at the first sign-in
    (`User.password_change_required`).
    """

    user_id: int
    username: str
    display_name: str
    role: Role
    password: str | None = field(default=None, repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    fingerprint: str | None = None
    wraps_deleted: int | None = None

    @property
    def totp_uri(self) -> str | None:
        if self.totp_secret is None:
            return None
        return accounts.totp_provisioning_uri(self.username, self.totp_secret)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AdministrationError("There is no such user.")
    return user


def _queue(session: Session, queue_id: int) -> Queue:
    queue = session.get(Queue, queue_id)
    if queue is None:
        raise AdministrationError("There is no such queue.")
    return queue


def _queue_by_slug(session: Session, slug: str) -> Queue:
    queue = session.scalar(select(Queue).where(Queue.slug == slug))
    if queue is None:
        raise AdministrationError(f"There is no queue {slug!r}.")
    return queue


def _active_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.is_active)
        )
        or 0
    )


def enrol_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role,
    queue_slugs: Iterable[str],
    cost: PasswordCost,
    actor_user_id: int,
) -> CredentialSheet:
    """Create a user (key pair, password, TOTP secret) in the given queues."""
    username = username.strip().lower()
    display_name = display_name.strip()
    if not USERNAME_PATTERN.fullmatch(username):
        raise AdministrationError(
            "A user name is 2 to 64 lower-case letters, digits, dots, hyphens or underscores,"
            " starting with a letter or digit."
        )
    if not display_name:
        raise AdministrationError("Enter the user's display name.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AdministrationError(f"The user name {username!r} is taken.")
    slugs = sorted(set(queue_slugs))
    if slugs and role not in QUEUE_ROLES:
        raise AdministrationError("An auditor cannot belong to a queue: auditors never read cases.")
    queues = [_queue_by_slug(session, slug) for slug in slugs]
    enrolment = accounts.create_user(
        session,
        username=username,
        display_name=display_name,
        role=role,
        cost=cost,
        chosen_by_admin=True,
    )
    for queue in queues:
        session.add(QueueMembership(user_id=enrolment.user_id, queue_id=queue.id))
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.user_enrol",
        target=f"user:{enrolment.user_id}",
        details={"username": username, "role": role.value, "queues": slugs},
    )
    session.flush()
    return CredentialSheet(
        user_id=enrolment.user_id,
        username=username,
        display_name=display_name,
        role=role,
        password=enrolment.password,
        totp_secret=enrolment.totp_secret,
        fingerprint=accounts.user_fingerprint(session.get_one(User, enrolment.user_id)),
    )


def reset_second_factor(session: Session, *, user_id: int, actor_user_id: int) -> CredentialSheet:
    """A new TOTP secret for a user who lost their authenticator; their sessions end.

    accounts.reset_second_factor writes the audit entry, naming the administrator.
    """
    user = _user(session, user_id)
    totp_secret = accounts.reset_second_factor(session, user.id, actor_user_id=actor_user_id)
    return CredentialSheet(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        totp_secret=totp_secret,
    )


def reset_password(
    session: Session, *, user_id: int, actor_user_id: int, cost: PasswordCost
) -> CredentialSheet:
    """A new one-time password and a NEW key pair (the old key is lost with the password).

    The user's case wraps go with the old key: the sheet says how many, and
    access has to be granted again by someone who holds those cases.
    accounts.reset_password writes the audit entry, naming the administrator.
    """
    user = _user(session, user_id)
    reset = accounts.reset_password(session, user.id, actor_user_id=actor_user_id, cost=cost)
    return CredentialSheet(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        password=reset.password,
        fingerprint=reset.fingerprint,
        wraps_deleted=reset.wraps_deleted,
    )


def set_active(session: Session, *, user_id: int, active: bool, actor_user_id: int) -> User:
    """Deactivate (ending every session of the user at once) or reactivate a user."""
    user = _user(session, user_id)
    if user.is_active == active:
        return user
    if not active:
        if user.id == actor_user_id:
            raise AdministrationError("You cannot deactivate your own account.")
        if user.role == Role.ADMIN and _active_admins(session) <= 1:
            raise AdministrationError("This is the last active administrator.")
    user.is_active = active
    # A changed generation makes every open session of the user invalid on
    # its next request (accounts.current_session); deleting the rows also
    # destroys their copies of the private key at once.
    user.session_generation += 1
    if not active:
        session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.user_activate" if active else "admin.user_deactivate",
        target=f"user:{user.id}",
        details={},
    )
    session.flush()
    return user


def change_role(session: Session, *, user_id: int, role: Role, actor_user_id: int) -> User:
    """Give a user another role; one who leaves the roles that work cases loses their wraps.

    Administrators and auditors never hold a wrap (reporting.pipeline.worker.
    may_hold_wraps), so an investigator or supervisor made one gives up every
    case they hold, in the same transaction: their wraps are deleted, and
    the audit entry says how many. That is refused while they are the only
    investigator or supervisor holding some case, which nobody could then
    ever read: someone else must be granted it on the case first. Made an
    investigator or supervisor again, they get nothing back; a holder grants
    each case anew, as for a new member.
    """
    # The user's row is locked first on PostgreSQL, and written (the new role)
    # before the wraps are counted on SQLite, taking its write lock: a wrap
    # being made for them concurrently (triage_worker.user_wrap reads the
    # role under the same lock) is either counted below or refused.
    session.execute(select(User.id).where(User.id == user_id).with_for_update())
    user = _user(session, user_id)
    if user.role == role:
        return user
    if user.role == Role.ADMIN and user.is_active and _active_admins(session) <= 1:
        raise AdministrationError("This is the last active administrator.")
    if role not in QUEUE_ROLES and _memberships_of(session, user.id):
        raise AdministrationError(
            "Remove the user from their queues first: an auditor cannot belong to a queue."
        )
    previous = user.role
    user.role = role
    details: dict[str, Any] = {"from": previous.value, "to": role.value}
    if previous in CASE_ROLES and role not in CASE_ROLES:
        session.flush()
        details["wraps_deleted"] = _give_up_cases(session, user)
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.user_role",
        target=f"user:{user.id}",
        details=details,
    )
    session.flush()
    return user


def _give_up_cases(session: Session, user: User) -> int:
    """Delete the user's wraps; AdministrationError if a case would be left with no holder."""
    other = aliased(Wrap)
    another_holder = (
        select(other.id)
        .join(User, User.id == other.user_id)
        .where(
            other.report_id == Wrap.report_id,
            other.holder_kind == HolderKind.USER,
            other.user_id != user.id,
            may_hold_wraps_clause(),
        )
        .exists()
    )
    own = and_(Wrap.holder_kind == HolderKind.USER, Wrap.user_id == user.id)
    alone = session.scalar(select(func.count()).select_from(Wrap).where(own, ~another_holder)) or 0
    if alone:
        cases = "case" if alone == 1 else "cases"
        raise AdministrationError(
            f"{user.display_name} is the only investigator or supervisor holding {alone}"
            f" {cases}: nobody could open {'it' if alone == 1 else 'them'} any more. Give"
            " someone else access on each case first; administrators and auditors hold no case."
        )
    deleted: int = session.execute(
        delete(Wrap).where(own).execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return deleted


@dataclass(frozen=True)
class UserRow:
    user: User
    queues: tuple[str, ...]


def users_overview(session: Session) -> list[UserRow]:
    users = session.scalars(select(User).order_by(User.username)).all()
    memberships: dict[int, list[str]] = {}
    for user_id, slug in session.execute(
        select(QueueMembership.user_id, Queue.slug)
        .join(Queue, Queue.id == QueueMembership.queue_id)
        .order_by(Queue.slug)
    ):
        memberships.setdefault(user_id, []).append(slug)
    return [UserRow(user, tuple(memberships.get(user.id, ()))) for user in users]


# ---------------------------------------------------------------- queues


def _memberships_of(session: Session, user_id: int) -> list[QueueMembership]:
    return list(
        session.scalars(select(QueueMembership).where(QueueMembership.user_id == user_id)).all()
    )


def create_queue(
    session: Session, *, slug: str, name: str, description: str, actor_user_id: int
) -> Queue:
    slug = slug.strip().lower()
    name = name.strip()
    if not QUEUE_SLUG_PATTERN.fullmatch(slug):
        raise AdministrationError(
            "A queue's short name is 2 to 64 lower-case letters, digits or hyphens."
        )
    if not name:
        raise AdministrationError("Enter the queue's name.")
    if session.scalar(select(Queue.id).where(Queue.slug == slug)) is not None:
        raise AdministrationError(f"There is already a queue {slug!r}.")
    queue = Queue(slug=slug, name=name, description=description.strip())
    session.add(queue)
    session.flush()
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.queue_create",
        target=f"queue:{queue.id}",
        details={"slug": slug, "name": name},
    )
    return queue


def rename_queue(
    session: Session, *, queue_id: int, name: str, description: str, actor_user_id: int
) -> Queue:
    """Change a queue's display name and description (the short name stays: rules name it)."""
    queue = _queue(session, queue_id)
    name = name.strip()
    if not name:
        raise AdministrationError("Enter the queue's name.")
    previous = queue.name
    queue.name = name
    queue.description = description.strip()
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.queue_rename",
        target=f"queue:{queue.id}",
        details={"from": previous, "to": name},
    )
    session.flush()
    return queue


def add_member(session: Session, *, queue_id: int, user_id: int, actor_user_id: int) -> None:
    """Make a user a member: they receive the cases triaged into the queue from now on."""
    queue = _queue(session, queue_id)
    user = _user(session, user_id)
    if user.role not in QUEUE_ROLES:
        raise AdministrationError("An auditor cannot belong to a queue: auditors never read cases.")
    if session.get(QueueMembership, (user.id, queue.id)) is not None:
        raise AdministrationError(f"{user.username} is already a member of {queue.name}.")
    session.add(QueueMembership(user_id=user.id, queue_id=queue.id))
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.membership_add",
        target=f"queue:{queue.id}",
        details={"user": user.id},
    )
    session.flush()


def remove_member(session: Session, *, queue_id: int, user_id: int, actor_user_id: int) -> None:
    """End a membership; cases the user already holds stay theirs until revoked on the case."""
    membership = session.get(QueueMembership, (user_id, queue_id))
    if membership is None:
        raise AdministrationError("That user is not a member of that queue.")
    session.delete(membership)
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.membership_remove",
        target=f"queue:{queue_id}",
        details={"user": user_id},
    )
    session.flush()


@dataclass(frozen=True)
class QueueRow:
    queue: Queue
    members: tuple[User, ...]
    open_cases: int


def queues_overview(session: Session) -> list[QueueRow]:
    queues = session.scalars(select(Queue).order_by(Queue.name)).all()
    members: dict[int, list[User]] = {}
    for queue_id, user in session.execute(
        select(QueueMembership.queue_id, User)
        .join(User, User.id == QueueMembership.user_id)
        .order_by(User.username)
    ):
        members.setdefault(queue_id, []).append(user)
    open_counts = {
        queue_id: count
        for queue_id, count in session.execute(
            select(Report.queue_id, func.count())
            .where(Report.status != ReportStatus.CLOSED, Report.queue_id.is_not(None))
            .group_by(Report.queue_id)
        ).tuples()
    }
    return [
        QueueRow(queue, tuple(members.get(queue.id, ())), open_counts.get(queue.id, 0))
        for queue in queues
    ]


# ---------------------------------------------------------------- routing rules


@dataclass(frozen=True)
class RuleInput:
    """A rule as the form gives it: every condition list empty means 'any'."""

    name: str
    queue_slug: str
    categories: Sequence[str] = ()
    domains: Sequence[str] = ()
    priorities: Sequence[str] = ()
    intake_types: Sequence[str] = ()
    countries: Sequence[str] = ()
    enabled: bool = True

    def conditions(self) -> dict[str, list[str]]:
        values: Mapping[str, Sequence[str]] = {
            "categories": self.categories,
            "domains": self.domains,
            "priorities": self.priorities,
            "intake_types": self.intake_types,
            "countries": [country.strip().upper() for country in self.countries],
        }
        return {key: list(items) for key, items in values.items() if items}


def _rule(session: Session, rule_id: int) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise AdministrationError("There is no such routing rule.")
    return rule


def _rules_error(error: RoutingRulesError) -> AdministrationError:
    return AdministrationError(f"The rule was not saved: {error}.")


def add_routing_rule(session: Session, rule: RuleInput, *, actor_user_id: int) -> RoutingRule:
    try:
        stored = add_rule(
            session,
            name=rule.name.strip(),
            queue_slug=rule.queue_slug,
            conditions=rule.conditions(),
            enabled=rule.enabled,
            actor_user_id=actor_user_id,
        )
    except RoutingRulesError as error:
        raise _rules_error(error) from None
    _audit_rule(session, "admin.rule_add", stored, actor_user_id)
    return stored


def edit_routing_rule(
    session: Session, rule_id: int, rule: RuleInput, *, actor_user_id: int
) -> RoutingRule:
    _rule(session, rule_id)
    try:
        stored = update_rule(
            session,
            rule_id,
            name=rule.name.strip(),
            queue_slug=rule.queue_slug,
            conditions=rule.conditions(),
            enabled=rule.enabled,
            actor_user_id=actor_user_id,
        )
    except RoutingRulesError as error:
        raise _rules_error(error) from None
    _audit_rule(session, "admin.rule_edit", stored, actor_user_id)
    return stored


def set_rule_enabled(
    session: Session, rule_id: int, *, enabled: bool, actor_user_id: int
) -> RoutingRule:
    _rule(session, rule_id)
    stored = update_rule(session, rule_id, enabled=enabled, actor_user_id=actor_user_id)
    _audit_rule(
        session, "admin.rule_enable" if enabled else "admin.rule_disable", stored, actor_user_id
    )
    return stored


def move_rule(session: Session, rule_id: int, *, up: bool, actor_user_id: int) -> None:
    """Swap a rule with its neighbour above (or below): one new rule-set version."""
    rule = _rule(session, rule_id)
    rules = list(
        session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id))
    )
    index = rules.index(rule)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(rules):
        return
    # Renumber all of them first, so equal positions (possible after edits)
    # cannot make a swap a no-op.
    for position, each in enumerate(rules, start=1):
        each.position = position
    other = rules[other_index]
    rule.position, other.position = other.position, rule.position
    session.flush()
    snapshot_rules(session, actor_user_id=actor_user_id, reason=f"move rule {rule.id}")
    _audit_rule(session, "admin.rule_move", rule, actor_user_id)


def delete_routing_rule(session: Session, rule_id: int, *, actor_user_id: int) -> None:
    rule = _rule(session, rule_id)
    name = rule.name
    delete_rule(session, rule_id, actor_user_id=actor_user_id)
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.rule_delete",
        target=f"routing_rule:{rule_id}",
        details={"name": name},
    )


def _audit_rule(session: Session, action: str, rule: RoutingRule, actor_user_id: int) -> None:
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action=action,
        target=f"routing_rule:{rule.id}",
        details={"name": rule.name, "position": rule.position, "enabled": rule.enabled},
    )
    session.flush()


@dataclass(frozen=True)
class RuleRow:
    rule: RoutingRule
    queue: Queue


def rules_overview(session: Session) -> list[RuleRow]:
    rows = session.execute(
        select(RoutingRule, Queue)
        .join(Queue, Queue.id == RoutingRule.queue_id)
        .order_by(RoutingRule.position, RoutingRule.id)
    ).tuples()
    return [RuleRow(rule, queue) for rule, queue in rows]


# ---------------------------------------------------------------- screening lists

# Larger than the largest official list file (the UN XML is a few MiB, the
# OFAC SDN CSV well under 10 MiB).
MAX_LIST_UPLOAD_BYTES = 64 * 1024 * 1024


def import_uploaded_list(
    session: Session, upload: IO[bytes], *, work_dir: Path, actor_user_id: int
) -> ImportResult:
    """Import an uploaded list file (UN XML, OFAC sdn.csv or BIS DPL text); commits.

    The upload is written to a private temporary file inside `work_dir` (the
    instance folder), imported and deleted. List files are public data, not
    report content, so a temporary copy on disk is harmless; it is removed
    anyway so that the instance holds only the stored versions.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".list-upload-", dir=work_dir)
    path = Path(name)
    try:
        written = 0
        with os.fdopen(fd, "wb") as handle:
            while chunk := upload.read(1024 * 1024):
                written += len(chunk)
                if written > MAX_LIST_UPLOAD_BYTES:
                    raise AdministrationError("The file is larger than any list file Vigil reads.")
                handle.write(chunk)
        if written == 0:
            raise AdministrationError("The file is empty.")
        try:
            result = import_list_file(session, path)
        except ListFormatError:
            session.rollback()
            raise AdministrationError(
                "This is not a list file Vigil reads: upload the UN consolidated XML, the"
                " OFAC SDN sdn.csv or the BIS Denied Persons List text file."
            ) from None
    finally:
        path.unlink(missing_ok=True)
    append_audit(
        session,
        actor_user_id=actor_user_id,
        action="admin.list_import",
        target=f"list:{result.list_id}",
        details={
            "source": result.source,
            "version": result.version_label,
            "sha256": result.sha256,
            "created": result.created,
        },
    )
    session.commit()
    return result


# ---------------------------------------------------------------- retention

# The blob keys whose rows were purged but whose files are still to be
# deleted: written before the rows go, cleared once the files are gone, so a
# failed deletion is retried by the next run. A dotted name is never a key.
PENDING_DELETIONS_FILE = ".pending-deletions"


@dataclass(frozen=True)
class PurgeCandidate:
    report_id: int
    reference: str
    closed_hour: datetime
    queue: str | None


@dataclass
class PurgeSummary:
    purged: list[str] = field(default_factory=list)  # public references
    wraps: int = 0
    messages: int = 0
    parts: int = 0
    attachments: int = 0
    blobs_deleted: int = 0
    # Blob keys whose deletion failed; they stay pending for the next run.
    blobs_pending: list[str] = field(default_factory=list)


def retention_cutoff(now: datetime, older_than: timedelta) -> datetime:
    """Cases closed in an hour that ended at or before this moment are due.

    `closed_hour` is the hour the case was closed in; the whole hour must lie
    more than `older_than` in the past, so no case is purged early.
    """
    return now - older_than - timedelta(hours=1)


def closed_cases_due(
    session: Session, *, older_than: timedelta, now: datetime
) -> list[PurgeCandidate]:
    """The closed cases a purge at `now` would delete, oldest first."""
    rows = session.execute(
        select(Report.id, Report.public_reference, Report.closed_hour, Queue.slug)
        .outerjoin(Queue, Queue.id == Report.queue_id)
        .where(
            Report.status == ReportStatus.CLOSED,
            Report.closed_hour.is_not(None),
            Report.closed_hour <= retention_cutoff(now, older_than),
        )
        .order_by(Report.closed_hour, Report.id)
    ).tuples()
    return [
        PurgeCandidate(report_id, reference, closed_hour, slug)
        for report_id, reference, closed_hour, slug in rows
        if closed_hour is not None
    ]


@contextlib.contextmanager
def _pending_deletions(blob_store: FilesystemBlobStore) -> Iterator[IO[str]]:
    """The pending-deletions file, locked: one purge at a time per blob store."""
    blob_store.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(blob_store.root / PENDING_DELETIONS_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield handle


def _read_pending(handle: IO[str]) -> list[str]:
    handle.seek(0)
    return [line.strip() for line in handle if line.strip()]


def _write_pending(handle: IO[str], keys: Sequence[str]) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write("".join(f"{key}\n" for key in keys))
    handle.flush()
    os.fsync(handle.fileno())


def _delete_blobs(
    session: Session, blob_store: FilesystemBlobStore, keys: Sequence[str]
) -> tuple[int, list[str]]:
    """Delete the blobs no attachment row names; (deleted, still pending)."""
    deleted, pending = 0, []
    for key in keys:
        # A key still named by a row belongs to a purge whose commit failed:
        # the row stays, so its blob must stay too.
        if session.scalar(select(Attachment.id).where(Attachment.blob_key == key)) is not None:
            continue
        try:
            blob_store.delete(key)
        except (OSError, BlobStoreError) as error:
            log.warning(
                "retention: blob %s not deleted (%s); retried next run", key, type(error).__name__
            )
            pending.append(key)
        else:
            deleted += 1
    return deleted, pending


def _count(session: Session, model: type[Any], report_id: int) -> int:
    column = model.__table__.c.report_id
    return session.scalar(select(func.count()).where(column == report_id)) or 0


def purge_closed_cases(
    session: Session,
    blob_store: FilesystemBlobStore,
    *,
    older_than: timedelta,
    now: datetime,
    actor_user_id: int | None,
) -> PurgeSummary:
    """Delete the cases closed longer ago than `older_than`, with everything they hold.

    Each case goes in its own transaction: its attachment, message, part and
    wrap rows and the report row (ciphertext) are deleted and one
    `report.purge` audit entry records the reference and the counts (no
    content). The attachment blobs are deleted after the commit, so a failed
    commit never leaves a row pointing at a deleted blob; their keys are first
    written to a pending file beside the blobs, and a blob that cannot be
    deleted stays listed there and is retried by the next run.
    """
    summary = PurgeSummary()
    with _pending_deletions(blob_store) as pending_file:
        pending = _read_pending(pending_file)
        for candidate in closed_cases_due(session, older_than=older_than, now=now):
            keys = list(
                session.scalars(
                    select(Attachment.blob_key).where(Attachment.report_id == candidate.report_id)
                )
            )
            if keys:
                pending = list(dict.fromkeys([*pending, *keys]))
                _write_pending(pending_file, pending)
            counts = {
                "wraps": _count(session, Wrap, candidate.report_id),
                "messages": _count(session, Message, candidate.report_id),
                "parts": _count(session, ReportPart, candidate.report_id),
                "attachments": len(keys),
            }
            # Children first: the database would cascade, but saying so here
            # does not depend on SQLite's foreign-key pragma being on.
            for model in (Attachment, Message, ReportPart, Wrap):
                session.execute(delete(model).where(model.report_id == candidate.report_id))
            removed = session.execute(
                delete(Report).where(
                    Report.id == candidate.report_id, Report.status == ReportStatus.CLOSED
                )
            )
            if removed.rowcount != 1:  # type: ignore[attr-defined]
                # Reopened, or purged by someone else, since it was listed.
                session.rollback()
                continue
            append_audit(
                session,
                actor_user_id=actor_user_id,
                action="report.purge",
                target=f"report:{candidate.report_id}",
                details={
                    "reference": candidate.reference,
                    "closed_hour": candidate.closed_hour.isoformat(),
                    "retention_days": older_than.days,
                    **counts,
                },
            )
            session.commit()
            summary.purged.append(candidate.reference)
            summary.wraps += counts["wraps"]
            summary.messages += counts["messages"]
            summary.parts += counts["parts"]
            summary.attachments += counts["attachments"]
        summary.blobs_deleted, summary.blobs_pending = _delete_blobs(session, blob_store, pending)
        _write_pending(pending_file, summary.blobs_pending)
    return summary
