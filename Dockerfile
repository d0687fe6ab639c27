FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends gcc libgomp1 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY core core
COPY ingestion ingestion
COPY assistant assistant
COPY api api
COPY corpus corpus
RUN pip install --no-cache-dir .
RUN useradd --create-home sahla && mkdir /data && chown sahla /data
USER sahla
EXPOSE 8000
