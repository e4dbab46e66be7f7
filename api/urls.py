"""The read-only HTTP API (api.endpoints), mounted at /api/."""

from api.endpoints import api

app_name = "api"
urlpatterns = api.urls[0]
