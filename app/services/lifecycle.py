"""Every status change the domain allows, in one place. Anything not listed here is refused with a 409
that names the current state and what is allowed from it."""

from app.enums import CommitmentStatus as C
from app.enums import PledgeStatus as P
from app.enums import SignatoryStatus as S
from app.errors import InvalidTransition

# action -> (states it may start from, state it leads to)
PLEDGE_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({P.DRAFT, P.CHANGES_REQUESTED, P.LAPSED}), P.SUBMITTED),
    "approve": (frozenset({P.SUBMITTED}), P.PUBLISHED),
    "request_changes": (frozenset({P.SUBMITTED}), P.CHANGES_REQUESTED),
    "withdraw": (frozenset({P.PUBLISHED}), P.WITHDRAWN),
    "lapse": (frozenset({P.PUBLISHED}), P.LAPSED),
}

# While a pledge is in one of these states its organisation may add, edit and remove commitments.
PLEDGE_EDITABLE = frozenset({P.DRAFT, P.CHANGES_REQUESTED, P.LAPSED})

SIGNATORY_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "verify": (frozenset({S.PENDING}), S.VERIFIED),
    "suspend": (frozenset({S.VERIFIED}), S.SUSPENDED),
    "reinstate": (frozenset({S.SUSPENDED}), S.VERIFIED),
}

# Status changes an organisation makes to a commitment of a published pledge, without re-approval.
COMMITMENT_STATUS_CHANGES: dict[str, frozenset[str]] = {
    C.ACTIVE: frozenset({C.PAUSED, C.FULL, C.ENDED}),
    C.PAUSED: frozenset({C.ACTIVE, C.FULL, C.ENDED}),
    C.FULL: frozenset({C.ACTIVE, C.PAUSED, C.ENDED}),
    C.ENDED: frozenset(),
    C.WITHDRAWN: frozenset(),
}
COMMITMENT_WITHDRAWABLE = frozenset({C.ACTIVE, C.PAUSED, C.FULL})


def allowed_actions(actions: dict[str, tuple[frozenset[str], str]], current: str) -> list[str]:
    return [action for action, (sources, _) in actions.items() if current in sources]


def next_status(record: str, actions: dict[str, tuple[frozenset[str], str]], current: str, action: str) -> str:
    sources, target = actions[action]
    if current not in sources:
        raise InvalidTransition(record, current, action.replace("_", " "), allowed_actions(actions, current))
    return target


def next_pledge_status(current: str, action: str) -> str:
    return next_status("pledge", PLEDGE_ACTIONS, current, action)


def next_signatory_status(current: str, action: str) -> str:
    return next_status("signatory", SIGNATORY_ACTIONS, current, action)


def check_commitment_status_change(current: str, wanted: str) -> None:
    if wanted != current and wanted not in COMMITMENT_STATUS_CHANGES[current]:
        allowed = sorted(COMMITMENT_STATUS_CHANGES[current])
        raise InvalidTransition("commitment", current, f"set status {wanted} on", allowed)
