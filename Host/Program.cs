using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.Feed;
using OrderSystem.FlashSales;
using OrderSystem.Inventory;
using OrderSystem.Marketing;
using OrderSystem.Operations;
using OrderSystem.Operations.Console;
using OrderSystem.Order;
using OrderSystem.Points;
using OrderSystem.Push;
using OrderSystem.Refunds;
using OrderSystem.ServiceDefaults;
using OrderSystem.ThirdParties;
using OrderSystem.Warehouse;

// Options are read once at start, so nothing needs appsettings.json watched for changes; and its watcher, rooted at the
// working directory (the repository root), follows every file beneath it, the servers' data in .local included: a
// wake-up for every database write (finding 29 of docs/performance.md). A later argument can still turn it back on.
var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);

builder.AddServiceDefaults();          // telemetry, health checks, OpenAPI, problem+json
builder.AddInventoryModule();          // each module checks Modules:Enabled itself
builder.AddRefundsModule();            // before Order, which creates refunds in its transactions; hosted: the refund processor
builder.AddOrderModule();              // after Inventory and Refunds: it writes their rows in its transactions; hosted: the expiry closer
builder.AddPointsModule();
builder.AddMarketingModule();
builder.AddPushModule();
builder.AddWarehouseModule();
builder.AddFlashSalesModule();        // after Order and Inventory, whose ports it writes through; hosted: the order writer, the sale closer
builder.AddFeedModule();              // after Order, whose changes it sequences; hosted: the sequencer (one per system)
builder.AddOperationsModule();         // admin API; hosted: retention's hourly pass
builder.AddOperationsConsole();        // the operator console at /ops (its own cookie sign-in); hosted: the overview's sampler
builder.AddOutboxRelays();             // hosted: one relay per outbox of the modules enabled here
builder.AddOutboxBacklogMonitor();     // hosted: outbox backlog gauges, and readiness
builder.AddMessaging();                // hosted: the MassTransit bus with every module's consumers; modules go before it

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();              // bare 404/405 answers get a problem+json body too
app.MapDefaultEndpoints();             // /health/live, /health/ready, /metrics, /openapi/v1.json, /docs
app.MapThirdPartyStatus();             // /health/dependencies: each third party's breaker
app.MapInventoryEndpoints();
app.MapOrderEndpoints();
app.MapRefundsEndpoints();
app.MapPointsEndpoints();
app.MapMarketingEndpoints();
app.MapPushEndpoints();
app.MapWarehouseEndpoints();
app.MapFeedEndpoints();
app.MapFlashSalesEndpoints();
app.MapOperationsEndpoints();
app.UseOperationsConsole();            // /ops: sign-in, pages, the overview's JSON
app.UseRateLimiter();                  // once, after the sign-in, for every module's limit (console sign-in, flash-sale admission)

app.Run();

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
