from django.conf import settings

from .seo import canonical_url


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "canonical_url": canonical_url(request)}
