# Clerk: the API, the Slack bot and the ingest job share this image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False \
    CLERK_DATA_DIR=/data

WORKDIR /app
# torch first, the CPU build: the default index serves a CUDA build of several GB.
RUN pip install --no-cache-dir "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY assistant assistant
COPY ingest ingest
COPY eval eval
COPY prompts prompts
COPY corpus corpus
RUN pip install --no-cache-dir . && useradd --create-home clerk && mkdir -p /data /papers \
    && chown clerk /data
# The ONNX exports (CLERK_EMBED_BACKEND=onnx or onnx-int8) are made once, here, from the
# bundled weights, so that no container spends its start exporting them.
ENV CLERK_ONNX_CACHE_DIR=/app/models
RUN clerk export-onnx
USER clerk
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
ENTRYPOINT ["clerk"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
