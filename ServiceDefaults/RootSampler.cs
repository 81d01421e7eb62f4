using System.Diagnostics;
using OpenTelemetry.Trace;

namespace OrderSystem.ServiceDefaults;

/// <summary>
/// Decides for spans that start a trace. A database call with no parent is a relay's or monitor's poll, not part of
/// any order: thousands of one-span traces an hour that say nothing, so they are dropped. Everything else is kept.
/// </summary>
internal sealed class RootSampler : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        new(samplingParameters.Kind == ActivityKind.Client ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
}
