# The reference image of the container benchmark (docs/performance.md): the "postgres" stage of
# docker/Dockerfile (the same base, Debian's PostgreSQL) with a minimal shell entrypoint instead of
# pg-entrypoint. Built by the benchmark: first --target postgres of docker/Dockerfile, then this.
ARG POSTGRES_IMAGE=localhost/pg-entrypoint-plain:test
FROM ${POSTGRES_IMAGE}
COPY docker/reference-entrypoint.sh /usr/local/bin/reference-entrypoint.sh
USER 999:999
ENTRYPOINT ["/usr/local/bin/reference-entrypoint.sh"]
CMD ["postgres"]
