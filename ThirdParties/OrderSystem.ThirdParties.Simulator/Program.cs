using OrderSystem.ThirdParties.Simulator;
using OrderSystem.ThirdParties.Simulator.Control;
using OrderSystem.ThirdParties.Simulator.Ledger;
using OrderSystem.ThirdParties.Simulator.Logistics;
using OrderSystem.ThirdParties.Simulator.Payments;
using OrderSystem.ThirdParties.Simulator.Sms;

// The content root is the build output, so the simulator reads its own appsettings.json whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddProblemDetails();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(Retention.From(builder.Configuration));
builder.Services.AddSingleton<PartyControl>();
builder.Services.AddSingleton<Ledgers>();
builder.Services.AddSingleton<IdempotentCalls>();
builder.Services.AddSingleton<Waybills>();
builder.AddPaymentProvider();

var app = builder.Build();
app.UseStatusCodePages();
app.Services.GetRequiredService<PartyControl>(); // invalid startup defaults stop the process here, not at the first call

app.MapGet("/health", () => Results.Ok(new { status = "up", service = Health.ServiceName }));
app.MapControlApi();
app.MapStatusProbes();
app.MapSmsApi();
app.MapLogisticsApi();
app.MapWaybillApi();
app.MapPaymentsApi();
app.MapLedgerApi();

app.Run();
