# The service image: the app, its migrations and the CLI. docker-compose.yml runs it against PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv
COPY pyproject.toml constraints.txt README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
# Editable install keeps alembic.ini and migrations/ beside the package, where the CLI looks for them.
RUN pip install --no-cache-dir -c constraints.txt -e . \
    && useradd --system --home /srv registry \
    && mkdir -p /srv/var && chown registry /srv/var
USER registry

EXPOSE 8000
CMD ["covenant-registry", "serve", "--host", "0.0.0.0", "--port", "8000"]
