# Production image: gunicorn behind your reverse proxy, static files served by whitenoise.
# Needs at run time: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (PostgreSQL), REDIS_URL for the job
# queue. The jobs' worker is the same image run as
#   python manage.py rqworker --job-class django_tasks_rq.Job default
# with MEDIA_ROOT on a volume that the web and worker containers share.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_DEBUG=0
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .

COPY . .
# collectstatic needs a key to import settings; this one is thrown away with the build layer.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app survey \
    && chown -R survey /app

USER survey
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
