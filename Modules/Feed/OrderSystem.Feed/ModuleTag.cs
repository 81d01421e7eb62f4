namespace OrderSystem.Feed;

/// <summary>Names this module's store in the container: <c>ModuleStore&lt;ModuleTag&gt;</c>.</summary>
internal sealed class ModuleTag;
