"""Refusals of passkeys and of the second step, each with its message and status."""

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


class PasskeyUnreadable(DomainError):
    """The browser's answer is not a WebAuthn answer we can read (nothing is stored)."""

    status = 422
    message = _l("We could not read your passkey's answer. Please try again.")


class ChallengeExpired(DomainError):
    """The challenge is unknown, used, expired or was handed to another browser."""

    status = 409
    message = _l("This passkey request has expired or was already used. Please try again.")


class PasskeyRefused(DomainError):
    """The answer does not verify: wrong site, wrong signature, a replay, a cloned key."""

    status = 403
    message = _l("This passkey could not be verified for this site. Nothing was changed.")


class PasskeyUnknown(DomainError):
    """No account here has this passkey (or it belongs to someone else)."""

    status = 403
    message = _l("This passkey is not registered with an account here.")


class VerificationRequired(DomainError):
    status = 403
    message = _l("Staff passkeys must check it is you (a PIN, fingerprint or face). "
                 "Please use a passkey that does.")


class PasskeyAlreadyAdded(DomainError):
    status = 409
    message = _l("This passkey is already registered.")


class PasskeysNeedLocalhost(DomainError):
    status = 409
    message = _l("Passkeys need the site's own address. Please open it at %(url)s.")


class WrongCode(DomainError):
    status = 422
    message = _l("That code is not right. Check the time on your phone and try again.")


class CodeReused(WrongCode):
    """A right code whose half-minute was already used: someone else may have seen it. Said
    like a wrong one; the owner is told by e-mail (ASVS 2.8.5)."""


class WrongRecoveryCode(DomainError):
    status = 422
    message = _l("That recovery code is not valid or was already used.")


class SecondStepExpired(DomainError):
    status = 409
    message = _l("Your sign-in took too long. Please sign in again.")
