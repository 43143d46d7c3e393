# The deployable image: the same code as `make run`, served by gunicorn, as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 crm
WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
# Static files and the compiled catalogues are baked into the image. Settings need a database
# URL and a secret to load, but nothing connects to them here.
RUN DEBUG=0 SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
        python manage.py collectstatic --no-input --verbosity 0 \
    && python -m crm.compile_messages \
    && mkdir -p /app/.data \
    && chown -R crm:crm /app/.data

USER crm
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://localhost:8000/healthz/', timeout=4).status != 200)"
CMD ["gunicorn", "crm.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
