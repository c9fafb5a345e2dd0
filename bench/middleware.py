"""Middleware only the benchmark server runs (bench/settings.py)."""

from django.db import connection


class QueryCountHeaderMiddleware:
    """The request's query count in X-DB-Queries.

    Counts through an execute wrapper, which neither opens a connection for requests that
    need none nor keeps the SQL, so the count costs almost nothing on the pages it measures.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response["X-DB-Queries"] = str(count)
        return response
