from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from followers.services import email_erase


class Command(BaseCommand):
    help = (
        "A reader's erasure request: delete every comment and every subscription stored for "
        "one e-mail address."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        erased = email_erase(email=email)
        self.stdout.write(
            f"Deleted {erased['comments']} comment(s) and {erased['subscriptions']} "
            f"subscription(s) stored for {email}."
        )
