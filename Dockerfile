# SalesOps image: one image for the web process, Celery workers and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# Pango for WeasyPrint (the monthly review pack's PDF) and CJK fonts for Chinese PDFs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
# Install the dependencies listed in pyproject.toml first, so code changes reuse this layer.
RUN python -c 'import tomllib,subprocess,sys; deps=tomllib.load(open("pyproject.toml","rb"))["project"]["dependencies"]; subprocess.check_call([sys.executable,"-m","pip","install","--no-cache-dir",*deps])'

COPY . .
# Build-time only: translations and static files need settings, not a real secret.
RUN SECRET_KEY=build-only DEBUG=0 python manage.py compiletranslations \
 && SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --noinput -v0 \
 && mkdir -p var/import-staging && chmod 700 var/import-staging \
 && useradd --system --uid 1000 salesops && chown -R salesops /app
USER salesops

EXPOSE 8000
CMD ["gunicorn", "salesops.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
