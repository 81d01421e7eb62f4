namespace OrderSystem.Refunds;

/// <summary>Names this module in shared generic plumbing, such as its outbox and relay.</summary>
internal sealed class ModuleTag;
