# The service image: the app, its migrations and the CLI. docker-compose.yml runs it against PostgreSQL.
# scripts/check-image-steps.sh replays the pip steps below outside Docker; keep them plain `pip`/`python` commands.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    HOST=0.0.0.0 \
    PORT=8000

# A fixed numeric id, so an orchestrator can check that the image runs as a user other than root.
RUN useradd --system --uid 10001 --user-group --home-dir /srv --no-create-home registry

WORKDIR /srv

# Pango and its fonts, for WeasyPrint (the annual report as PDF).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, from pyproject.toml alone, so a change to the code reuses this layer. The build backend
# (setuptools) comes too, so the package itself installs below without fetching anything.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb')); print(*p['build-system']['requires'], *p['project']['dependencies'], sep='\n')" > requirements.txt \
    && pip install -c constraints.txt -r requirements.txt \
    && rm requirements.txt

# The code. An editable install keeps alembic.ini and migrations/ beside the package in /srv, where the CLI looks
# for them (PROJECT_ROOT in app/config.py is the folder above app/).
COPY README.md alembic.ini ./
COPY migrations ./migrations
COPY app ./app
RUN pip install --no-deps --no-build-isolation -e .

# Owned by root and read-only to the service; var/ is for a SQLite file, if one is used instead of PostgreSQL.
RUN mkdir -p /srv/var && chown registry:registry /srv/var
USER 10001:10001

EXPOSE 8000
# /healthz answers while the process is up (/readyz also needs the database); slim images have no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=2)"]
CMD ["covenant-registry", "serve"]
