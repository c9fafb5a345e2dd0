"""The admin's change lists, with an impossible date in the address taken as a bad filter."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class DateSafeChangeList(ChangeList):
    """A date-hierarchy year, month or day that no date can have (year 99999999999, the day
    after 9999-12-31) redirects to the plain list with ``?e=1``, as other wrong filters do.

    Django turns only a ``ValueError`` from building the first date into that redirect; an
    ``OverflowError``, or a ``ValueError`` from the end of the range, would be a 500.
    """

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


class DateSafeListMixin:
    """For every ``ModelAdmin`` with a ``date_hierarchy``."""

    def get_changelist(self, request, **kwargs):
        return DateSafeChangeList
