from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from comments.services import comments_erase_email


class Command(BaseCommand):
    help = "Delete every comment stored for one email address (a reader's erasure request)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        deleted = comments_erase_email(email=email)
        self.stdout.write(f"Deleted {deleted} comment(s) stored for {email}.")
