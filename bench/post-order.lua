-- wrk script: place an order as the bench user (token from SOUK_BENCH_TOKEN)
wrk.method = "POST"
wrk.body = '{"items":[{"sku":"BENCH-1","quantity":1,"unitPrice":100}],"currency":"EUR","paymentMethod":"tok_visa"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SOUK_BENCH_TOKEN")
