using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Observability;
using OrderSystem.BuildingBlocks.Operations;
using OrderSystem.Inventory;
using OrderSystem.Marketing;
using OrderSystem.Order;
using OrderSystem.Points;
using OrderSystem.Push;
using OrderSystem.Warehouse;

var builder = WebApplication.CreateBuilder(args);

builder.AddBuildingBlocks();
builder.AddObservability();
builder.AddApiDocs();
builder.AddInventoryModule();
builder.AddOrderModule();
builder.AddPointsModule();
builder.AddMarketingModule();
builder.AddPushModule();
builder.AddWarehouseModule();
builder.AddMessaging();

var app = builder.Build();

app.UseBuildingBlocks();
app.MapObservability();
app.MapApiDocs();
app.MapInventoryEndpoints();
app.MapOrderEndpoints();
app.MapPointsEndpoints();
app.MapMarketingEndpoints();
app.MapPushEndpoints();
app.MapWarehouseEndpoints();
app.MapAdminOperations();

app.Run();

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
