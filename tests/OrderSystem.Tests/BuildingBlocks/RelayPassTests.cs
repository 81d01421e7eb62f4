using OrderSystem.BuildingBlocks.Outbox;

namespace OrderSystem.Tests.BuildingBlocks;

/// <summary>When the relay backs off: only for a pass that looks like a broker outage, never for a broken row.</summary>
public sealed class RelayPassTests
{
    [TestCase(1, 0, 1, 0, false, TestName = "A pass that claimed only a broken row does not back off")]
    [TestCase(5, 0, 5, 0, false, TestName = "A pass of broken rows only does not back off")]
    [TestCase(3, 2, 1, 0, false, TestName = "A broken row among published ones does not back off")]
    [TestCase(3, 2, 0, 1, false, TestName = "A refused row among published ones does not back off")]
    [TestCase(3, 0, 2, 1, true, TestName = "Nothing published and the broker refused one row backs off")]
    [TestCase(2, 0, 0, 2, true, TestName = "Nothing published and the broker refused every row backs off")]
    [TestCase(0, 0, 0, 0, false, TestName = "An empty pass does not back off")]
    public void The_relay_backs_off_only_when_a_pass_looks_like_a_broker_outage(
        int claimed, int published, int rowFailures, int publishFailures, bool outage) =>
        Assert.That(new RelayPass(claimed, published, rowFailures, publishFailures).LooksLikeOutage, Is.EqualTo(outage));
}
