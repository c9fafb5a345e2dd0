"""E-mail addresses as the site compares and stores them."""


def normalise_email(address: str) -> str:
    """One spelling per address, so "Ann@Example.org " and "ann@example.org" are one person.

    The whole address is lower-cased, not only the domain as RFC 5321 would allow: no mail
    provider readers use tells addresses apart by the case of their local part.
    """
    return address.strip().lower()
