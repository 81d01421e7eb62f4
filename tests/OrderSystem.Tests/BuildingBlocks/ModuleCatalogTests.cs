using Microsoft.AspNetCore.Builder;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.Marketing;
using OrderSystem.Points;

namespace OrderSystem.Tests.BuildingBlocks;

/// <summary>The composition mistakes that used to pass silently now stop the host at startup.</summary>
public sealed class ModuleCatalogTests
{
    [Test]
    public void A_module_added_after_AddMessaging_throws_instead_of_running_without_consumers()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.AddPointsModule();
        builder.AddMessaging();

        var failure = Assert.Throws<InvalidOperationException>(() => builder.AddMarketingModule());

        Assert.That(failure!.Message, Does.Contain("Marketing").And.Contain("AddMessaging()"));
    }

    [Test]
    public void A_module_added_after_AddOutboxRelays_throws_instead_of_running_without_a_relay()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.AddPointsModule();
        builder.AddOutboxRelays();

        Assert.Throws<InvalidOperationException>(() => builder.AddMarketingModule());
    }

    [Test]
    public void Modules_Enabled_naming_a_module_nobody_declared_stops_startup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Modules:Enabled"] = "Points,Pionts";
        builder.AddPointsModule();

        var failure = Assert.Throws<InvalidOperationException>(() => builder.AddMessaging());

        Assert.That(failure!.Message, Does.Contain("Pionts"));
    }

    [Test]
    public void A_declared_table_without_the_module_prefix_is_refused()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var wrong = new ModuleDeclaration("Loyalty") { Inbox = "points_inbox" };

        var failure = Assert.Throws<InvalidOperationException>(() => builder.AddModule<ModuleCatalogTests>(wrong));

        Assert.That(failure!.Message, Does.Contain("loyalty_"));
    }
}
