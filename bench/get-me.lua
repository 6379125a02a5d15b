-- wrk script: read the bench user (token from SOUK_BENCH_TOKEN)
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SOUK_BENCH_TOKEN")
