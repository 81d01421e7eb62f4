using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests;

/// <summary>Starts one shared system for the whole run; each test resets its database in SetUp.</summary>
[SetUpFixture]
public sealed class GlobalSetup
{
    internal static TestSystem System { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => System = await TestSystem.StartAsync("main");

    [OneTimeTearDown]
    public async Task StopAsync() => await System.DisposeAsync();
}
