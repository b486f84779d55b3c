from django.conf import settings


def store(request):
    """The store's name for every page."""
    return {"STORE_NAME": settings.STORE_NAME}
