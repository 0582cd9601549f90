import time
def test_scratch(manager_client, settings):
    from dashboard.invoice_sync import sync_invoices
    t=time.time(); run = sync_invoices(); print("sync", time.time()-t, run.invoice_count, run.api_calls, run.complete)
    t=time.time(); r = manager_client.get("/overview/"); print("get", time.time()-t, r.status_code)
    open("/tmp/scratch/overview.html","w").write(r.content.decode())
