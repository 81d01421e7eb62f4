using System.Collections.Concurrent;

namespace OrderSystem.ThirdParties.Simulator.Control;

/// <summary>
/// The current faults of each party. Each call reads one snapshot when it arrives; a change applies to the calls that
/// arrive after it.
/// </summary>
internal sealed class PartyControl
{
    private readonly Dictionary<string, PartySettings> _defaults;
    private readonly ConcurrentDictionary<string, PartySettings> _current;
    private readonly ILogger<PartyControl> _log;
    private readonly Lock _changing = new();

    public PartyControl(IConfiguration configuration, ILogger<PartyControl> log)
    {
        _log = log;
        // Parties:Sms, Parties:Logistics, Parties:Payments (configuration keys ignore case).
        _defaults = Party.All.ToDictionary(p => p, p => configuration.GetSection("Parties:" + p).Get<PartySettings>() ?? new());
        // Only the payments party has refunds; its refund settings the configuration leaves out get their defaults.
        var wrong = _defaults.Where(d => d.Key != Party.Payments && d.Value.HasRefunds)
            .Select(d => $"Parties:{d.Key}: only the payments party has RefundProcessingMs and the other refund settings")
            .ToList();
        wrong.AddRange(_defaults.Where(d => d.Key != Party.Logistics && d.Value.HasPickup)
            .Select(d => $"Parties:{d.Key}: only the logistics party has PickupDelayMs"));
        _defaults[Party.Payments] = _defaults[Party.Payments].WithRefundDefaults();
        _defaults[Party.Logistics] = _defaults[Party.Logistics].WithPickupDefault();
        wrong.AddRange(_defaults.SelectMany(d => d.Value.Errors().Select(e => $"Parties:{d.Key}: {e}")));
        if (wrong.Count > 0)
        {
            throw new InvalidOperationException("Invalid startup settings: " + string.Join("; ", wrong));
        }
        _current = new(_defaults);
    }

    public bool Knows(string party) => _defaults.ContainsKey(party);

    public PartySettings Current(string party) => _current[party];

    /// <summary>Merges under a lock, so two PUTs at once each keep the other's fields.</summary>
    public PartySettings? Merge(string party, Func<PartySettings, PartySettings?> merge)
    {
        lock (_changing)
        {
            var merged = merge(_current[party]);
            if (merged is not null)
            {
                _current[party] = merged;
                _log.LogInformation("{Party} settings now {Settings}", party, merged);
            }
            return merged;
        }
    }

    /// <summary>Takes one of the party's <see cref="PartySettings.RejectNext"/> refusals, if any are left.</summary>
    public bool TakeRejection(string party)
    {
        if (_current[party].RejectNext == 0)
        {
            return false; // the common case, without the lock
        }
        lock (_changing)
        {
            var current = _current[party];
            if (current.RejectNext == 0)
            {
                return false;
            }
            _current[party] = current with { RejectNext = current.RejectNext - 1 };
            return true;
        }
    }

    public PartySettings Reset(string party)
    {
        lock (_changing)
        {
            _current[party] = _defaults[party];
            _log.LogInformation("{Party} settings back to the defaults {Settings}", party, _defaults[party]);
            return _defaults[party];
        }
    }
}
