"""Ways in besides the password: passkeys (WebAuthn), the authenticator app (TOTP) and its
recovery codes, and the second step staff must pass before their console."""
