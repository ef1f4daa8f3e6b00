//! The one table of user-visible text: Simplified Chinese first, English second. Every string the
//! console shows goes through [`tr`]; data (place names) carries its own zh/en fields. Below both
//! `map` and `ui` (both show text in the officer's language); imports neither.

use serde::{Deserialize, Serialize};

/// The console's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    /// 简体中文 (default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Pick the string for this language out of a (zh, en) pair; falls back to the other one
    /// when empty, so data with only one name still shows something.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh if !zh.is_empty() => zh,
            Lang::En if !en.is_empty() => en,
            Lang::Zh => en,
            Lang::En => zh,
        }
    }

    /// The other language (Ctrl+L, the 中/EN button).
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

macro_rules! messages {
    ($($id:ident => $zh:literal, $en:literal;)*) => {
        /// A message id; look it up with [`tr`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg { $(#[doc = $en] $id,)* }

        impl Msg {
            /// Every message, for completeness tests.
            pub const ALL: &'static [Msg] = &[$(Msg::$id,)*];
        }

        /// The text of `msg` in `lang`.
        pub fn tr(lang: Lang, msg: Msg) -> &'static str {
            match (msg, lang) {
                $((Msg::$id, Lang::Zh) => $zh, (Msg::$id, Lang::En) => $en,)*
            }
        }
    };
}

messages! {
    AppTitle => "应急管理“一张图”", "Emergency management one map";
    About => "关于", "About";
    AboutVersion => "版本", "Version";
    AboutPack => "地图包", "Map pack";
    AboutData => "数据来源与许可见各图层提示及 /usr/share/doc/onemap", "Data sources and licences: layer tooltips and /usr/share/doc/onemap";
    Layers => "图层", "Layers";
    Basemap => "底图", "Basemap";
    Search => "搜索地名", "Search places";
    SearchHint => "地名、拼音或英文（Ctrl+F）", "Name, pinyin or English (Ctrl+F)";
    NoResults => "无匹配地名", "No matching place";
    ApproximateHint => "无精确坐标：定位到所属县", "No exact position: showing its county";
    FitPrefecture => "全图", "Full extent";
    FitPrefectureTip => "缩放到整个地图范围（Home）", "Fit the whole map pack (Home)";
    FitCountyTip => "缩放到该县（市）范围", "Fit this county";
    LanguageSwitch => "English", "中文";
    LanguageTip => "切换界面语言（Ctrl+L）", "Switch the interface language (Ctrl+L)";
    UiScale => "界面缩放", "UI scale";
    UiScaleTip => "大屏/电视墙可放大（Ctrl+加号 / Ctrl+减号）", "Enlarge for video walls (Ctrl+Plus / Ctrl+Minus)";
    Cursor => "光标", "Cursor";
    Zoom => "缩放级别", "Zoom";
    Attribution => "数据来源", "Data sources";
    AttributionTip => "地图数据来源与许可（详见 maps/<名称>/README.md）", "Map data sources and licences (see maps/<name>/README.md)";
    RasterOff => "关闭（仅矢量底图，完全离线）", "Off (vector basemap only, fully offline)";
    RasterUrl => "瓦片地址模板", "Tile URL template";
    RasterPmtiles => "本地 PMTiles 文件", "Local PMTiles file";
    RasterPmtilesTip => "离线栅格瓦片包（PNG/JPEG，PMTiles v3）", "Offline raster tile archive (PNG/JPEG, PMTiles v3)";
    RasterPmtilesHint => "文件路径，如 /data/xsbn.pmtiles", "File path, e.g. /data/xsbn.pmtiles";
    RasterApply => "应用", "Apply";
    RasterUrlTip => "例：https://tile.openstreetmap.org/{z}/{x}/{y}.png；天地图需填入您自己的 tk 密钥；勿用高德/百度瓦片（GCJ-02/BD-09 偏移约 300 米）", "e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; Tianditu needs your own tk key; never Amap/Baidu tiles (GCJ-02/BD-09, ≈300 m off)";
    RasterAttributionLabel => "瓦片来源说明", "Tile attribution";
    RasterOpacity => "不透明度", "Opacity";
    TilesLoading => "瓦片加载中", "Loading tiles";
    HierarchyBuilding => "路网分层预处理", "Preparing road hierarchy";
    HierarchyBuildingTip => "完成前，路线、覆盖与等时圈使用逐点搜索：结果相同，大路网上较慢。",
        "Until it is done, routes, coverage and isochrones use plain search: same results, slower on a large network.";
    HierarchyUnavailable => "路网分层未启动：使用逐点搜索（结果相同，较慢）", "Road hierarchy not started: plain search (same results, slower)";
    TilesFailed => "瓦片加载失败", "Tile loading failed";
    TilesOk => "瓦片正常", "Tiles OK";
    Legend => "图例", "Legend";
    LegendBorder => "国界（推导）", "International border (derived)";
    LegendCounty => "县（市）界", "County boundary";
    LegendRiver => "河流", "River";
    LegendSeat => "州/县政府驻地", "Prefecture/county seat";
    LegendUnverified => "位置未核实（约 5 km）", "Unverified position (≈5 km)";
    Elevation => "海拔", "Elevation";
    Metres => "米", "m";
    AccuracyEst => "位置精度（估计）", "Position accuracy (estimate)";
    CopyCoords => "复制坐标", "Copy coordinates";
    Copied => "坐标已复制", "Coordinates copied";
    NoticeHistory => "消息记录", "Notices";
    Dismiss => "关闭此消息", "Dismiss this notice";
    Shortcuts => "快捷键", "Shortcuts";
    ShortcutsText => "Ctrl+F 搜索 · Home 全图 · 1/2/3 县（市） · +/− 缩放 · 方向键 平移 · Ctrl+L 语言 · Ctrl+N 新建事件 · 选中事件：R 推荐、Enter 派遣、Alt+1…9 勾选 · 选中力量：E/S/B/A/O 状态", "Ctrl+F search · Home full extent · 1/2/3 counties · +/− zoom · arrows pan · Ctrl+L language · Ctrl+N new incident · incident selected: R suggest, Enter dispatch, Alt+1…9 tick · unit selected: E/S/B/A/O status";
    Route => "路线", "Route";
    DemoBadge => "演示 DEMO", "DEMO 演示";
    DemoBadgeTip => "当前数据含演示记录：位置为县城/已知地点附近的示意位置，非真实部署", "The situation holds demo records: positions are schematic (near county seats / known places), not real deployments";
    FirstRun => "首次运行", "First run";
    FirstRunText => "已创建态势数据库。是否加载西双版纳演示场景？所有演示记录均标注“演示”。", "A new situation database was created. Load the Xishuangbanna demo scenario? Every demo record is marked DEMO.";
    LoadDemo => "加载演示场景", "Load demo scenario";
    NotNow => "暂不加载", "Not now";
    Database => "数据库", "Database";
    DbError => "数据库错误", "Database error";
    OpsLayers => "业务图层", "Operations";
    Stations => "站点", "Stations";
    Units => "队伍与车辆", "Units";
    Warehouses => "物资仓库", "Warehouses";
    Shelters => "避难场所", "Shelters";
    Incidents => "事件", "Incidents";
    Stock => "物资", "Stock";
    Filter => "筛选", "Filter";
    AllStatuses => "全部状态", "All statuses";
    Callsign => "呼号", "Callsign";
    Name => "名称", "Name";
    Type => "类型", "Type";
    Status => "状态", "Status";
    Station => "站点", "Station";
    Crew => "人数", "Crew";
    Severity => "级别", "Grade";
    Reported => "接报时间", "Reported";
    Caller => "报警人", "Caller";
    Item => "物资", "Item";
    Quantity => "数量", "Quantity";
    Reserved => "已预留", "Reserved";
    Warehouse => "仓库", "Warehouse";
    Capacity => "容量", "Capacity";
    Occupancy => "已安置", "Occupancy";
    Open => "开放", "Open";
    Closed => "关闭", "Closed";
    Planned => "规划中", "Planned";
    PositionNote => "位置说明", "Position note";
    SetStatus => "改为", "Set to";
    NoIncidents => "暂无事件", "No incidents";
    Selected => "当前选择", "Selection";
    Showing => "显示", "Showing";
    NewIncident => "新建事件", "New incident";
    NewIncidentTip => "登记新接报事件（Ctrl+N）", "Record a new incident (Ctrl+N)";
    NewIncidentHere => "在此新建事件", "New incident here";
    Class => "类别", "Class";
    Location => "位置（经度,纬度或地名）", "Location (lon,lat or place)";
    LocationHint => "如 100.7971,22.0102 或 勐仑；或地图右键“在此新建事件”", "e.g. 100.7971,22.0102 or Menglun; or right-click the map: New incident here";
    PlaceNoCoordinates => "只知所属县，没有坐标；请输入坐标或在地图上右键选点", "has no coordinates (only its county is known); type coordinates or right-click the map";
    PlaceNotFound => "不是坐标，也找不到此地名", "is neither coordinates nor a known place";
    LocationEmpty => "未填写位置", "No location given";
    OutsideArea => "在本州范围以外约", "outside the prefecture by about";
    OutsideConfirmHint => "请核对；确属州外请按“确认州外位置”", "check it; if it really is outside, press Confirm location outside";
    ConfirmOutside => "确认州外位置并登记", "Confirm location outside and record";
    RecordReal => "登记为真实警情", "Record as a real call";
    RecordDrill => "登记为演练事件", "Record as a drill event";
    ChooseRealOrDrill => "演练进行中：请选择“登记为真实警情”或“登记为演练事件”", "A drill is running: choose Record as a real call or Record as a drill event";
    RealRecordedInDrill => "已登记真实警情（结束演练后在实战态势中显示）", "Real call recorded (shown in the live situation when the drill ends)";
    Correct => "更正事件", "Correct incident";
    AddNote => "添加备注", "Add note";
    NoteHint => "备注内容", "Note text";
    CancelIncident => "撤销事件", "Cancel incident";
    CancelReason => "撤销原因", "Reason";
    CancelReasonHint => "如 误报、重复报警", "e.g. false alarm, duplicate call";
    DuplicateOf => "与此事件重复", "Duplicate of";
    NotDuplicate => "（不重复）", "(not a duplicate)";
    CloseIncident => "结案", "Close incident";
    CloseIncidentTip => "经到场、控制，结案（须已有力量到场）", "Through on scene and under control to closed (someone must have been on scene)";
    Relocate => "更正位置", "Relocate";
    ConfirmOutsideRelocate => "确认州外位置并更正", "Confirm location outside and relocate";
    Phone => "电话", "Phone";
    Address => "地点描述", "Place / address";
    Notes => "情况说明", "Notes";
    Save => "登记", "Record";
    SaveTip => "保存到事件日志（Ctrl+Enter）", "Save to the event log (Ctrl+Enter)";
    Cancel => "取消", "Cancel";
    CancelTip => "关闭（内容保留，Esc）", "Close (the draft is kept, Esc)";
    Saving => "保存中…", "Saving…";
    IncidentRecorded => "事件已登记", "Incident recorded";
    NoDatabase => "未连接态势数据库", "No situation database";
    Recommend => "推荐调派", "Suggest units";
    RecommendTip => "按预案与道路到达时间推荐力量（R）", "Suggest units by the response plan and road ETA (R)";
    DispatchAll => "全部派遣", "Dispatch all";
    DispatchAllTip => "派遣全部推荐力量，逐一记入事件日志（Enter）", "Dispatch every suggested unit, each recorded in the event log (Enter)";
    Plan => "预案", "Plan";
    DispatchChecked => "派遣所选", "Dispatch selected";
    DispatchCheckedTip => "派遣已勾选的推荐力量，逐一记入事件日志（Enter）；Alt+1…9 勾选或取消第 n 个", "Dispatch the ticked units, each recorded in the event log (Enter); Alt+1…9 ticks or unticks the n-th";
    Supplies => "物资", "Supplies";
    ReplayBadge => "回放 REPLAY", "回放 REPLAY";
    DrillReplayBadge => "演练回放 DRILL REPLAY", "演练回放 DRILL REPLAY";
    ReplayTip => "只读回放：地图、看板、日志与计时均为时间轴光标所在时刻", "Read-only replay: map, boards, log and timers show the moment under the timeline cursor";
    ReplayKeysTip => "空格 播放/暂停 · [ ] 后退/前进 5 分钟 · 点击或拖动时间轴跳转", "Space play/pause · [ ] back/forward 5 min · click or drag the timeline to seek";
    Play => "播放", "Play";
    Drill => "演练", "Drill";
    DrillBadge => "演练 DRILL", "演练 DRILL";
    DrillBadgeTip => "演练进行中：所有操作带演练编号与模拟时间，不影响实战力量与统计", "Drill running: everything recorded carries the drill id and simulated time, and never touches real units or statistics";
    Scenario => "想定", "Scenario";
    DrillAuto => "自动（模拟调度与到达）", "Auto (simulated dispatch and arrivals)";
    DrillAutoTip => "模拟器按预案派遣并按道路时间到达；不勾选则由值班员自行处置", "The simulator dispatches by plan and units arrive by road ETA; unticked, the operator does it as in real work";
    StartDrill => "开始演练", "Start drill";
    StartDrillTip => "在当前数据库中以演练编号运行所选想定", "Run the chosen scenario in this database under a drill id";
    EndDrill => "结束演练", "End drill";
    StaleDrill => "未结束的演练", "Drill still open:";
    EndDrillFirst => "请先结束演练再回放", "End the drill before replaying";
    EndingDrill => "正在结束…", "Ending…";
    NextInject => "下一步", "Next";
    DrillReport => "评估报告", "After-action report";
    DrillNeedsFile => "演练需要打开的数据库文件（非回放、非内存库）", "A drill needs an open database file (not a replay, not in-memory)";
    NoScenarios => "地图包 drills/ 中没有想定文件", "No scenario files in the pack's drills/ folder";
    DrillKeysTip => "空格 播放/暂停模拟时钟", "Space plays / pauses the simulated clock";
    Speed => "倍速", "Speed";
    ReplayScope => "范围", "Scope";
    Pause => "暂停", "Pause";
    EventsWord => "条事件", "events";
    RealOperations => "实战（非演练）", "Real operations";
    ExitReplay => "退出回放", "Exit replay";
    ReplayEmpty => "此范围内没有事件", "No events in this scope";
    Replay => "回放", "Replay";
    ReplayOpenTip => "以只读方式回放当前数据库（实战或演练），可拖动时间轴", "Replay this database read-only (real or a drill) with a timeline scrubber";
    ReadOnly => "回放模式为只读，未记录任何操作", "Replay is read-only: nothing was recorded";
    Log => "日志", "Log";
    Seq => "序号", "Seq";
    Time => "时间", "Time";
    What => "内容", "What";
    Incident => "事件", "Incident";
    EvReported => "接报", "Reported";
    EvVerified => "核实", "Verified";
    EvNote => "备注", "Note";
    EvCancelled => "撤销", "Cancelled";
    EvUnitRecord => "力量登记", "Unit record";
    EvPosition => "位置报告", "position";
    EvDispatched => "调派", "Dispatched";
    EvReleased => "解除任务", "Released";
    EvMasterData => "基础数据", "Master data";
    EvStockSet => "库存", "Stock";
    EvReserved => "预留", "Reserved";
    EvUnreserved => "取消预留", "Reservation released";
    EvIssued => "发放", "Issued";
    EvReceived => "入库", "Received";
    EvDrillStarted => "演练开始", "Drill started";
    EvDrillEnded => "演练结束", "Drill ended";
    EvRoadClosed => "道路封闭", "Road closed";
    AffectedPeople => "受灾人数", "People affected";
    AffectedPeopleTip => "按预案每人所需计算救灾物资；修改后重新推荐", "Relief supplies = the plan's need per person × this; changing it re-computes the suggestion";
    IssueReserved => "发放预留", "Issue reserved";
    IssueReservedTip => "发放该物资的全部预留量（记入事件日志）", "Issue the whole reserved quantity of this item (recorded in the event log)";
    ReserveSupplies => "同时预留物资", "Also reserve the supplies";
    Unmet => "缺口", "unmet";
    Reassign => "改派（先解除原任务）", "Reassign (release first)";
    CommittedAt => "已承担事件", "is committed to incident";
    NotRecorded => "事件未登记", "The incident was not recorded";
    ReassignTip => "这些力量已承担其他事件；改派会先解除原任务再派遣（Shift+Enter）", "These units are committed elsewhere; reassigning releases them first (Shift+Enter)";
    SinceReport => "报警后", "Since report";
    SinceDispatch => "调派后", "Since dispatch";
    SinceArrival => "到场后", "Since arrival";
    ToDispatch => "报警至调派", "Report to dispatch";
    ToArrival => "报警至到场", "Report to arrival";
    EstimatedPosition => "估算位置（按路线与用时推算，非定位）", "Estimated position (dead reckoning along the route, not a fix)";
    Remaining => "剩余", "To go";
    ScenarioOver => "演练脚本已到结束时间：请点“结束演练”生成报告", "The scenario has reached its end: press End drill to write the report";
    OpenReport => "打开报告", "Open report";
    SchematicLabel => "示意", "schematic";
    ConnFile => "本地文件", "file";
    ConnSeat => "席位", "seat";
    ConnConnecting => "连接中…", "connecting…";
    ConnLostFor => "已断开", "disconnected for";
    ConnReconnecting => "正在重连", "reconnecting";
    ConnLostBanner => "无法连接数据库服务器：显示的是最后已知态势（已过时），暂不能记录任何操作，正在自动重连。", "Database server unreachable: showing the last known situation (stale); nothing can be recorded now; reconnecting by itself.";
    LogChain => "日志链", "log chain";
    LogChainTip => "哈希链已逐条校验至 #{seq}（打开时校验快照与其后每一条，之后每条新事件）；全量校验：onemap db verify", "hash chain verified up to #{seq} (the snapshot and every link after it at open, then each new event); full check: onemap db verify";
    LogChainUnreadable => "日志链未能读取", "log chain unreadable";
    SensitiveToggle => "敏感（大屏隐藏报警人和地址）", "Sensitive (the wall hides caller and address)";
    EvRelocated => "位置更正", "Relocated";
    EvSensitiveSet => "标记敏感", "Marked sensitive";
    EvSensitiveCleared => "取消敏感", "Sensitive mark cleared";
    WallOpen => "指挥大屏", "Wall";
    WallClose => "关闭大屏", "Close wall";
    WallOpenTip => "在第二显示器上打开只读的指挥大屏（同一数据库）", "Open the read-only commander's wall on the second monitor (same database)";
    ElevationTip => "2′格网，粗略估计", "2′ grid, coarse estimate";
    ErrNoRoadNear => "{lon},{lat} 周围 {km} 公里内没有道路{nearest}", "No road within {km} km of {lon},{lat}{nearest}";
    ErrNearestRoad => "（最近的道路在 {d} 公里外）", " (the nearest road is {d} km away)";
    ErrBadCoordinate => "坐标无效：{lon},{lat}", "Invalid coordinate: {lon},{lat}";
    ErrUnreachable => "两点之间没有可通行的道路（单行道或路网不相连）", "No drivable road connects the two points (one-way streets or separate road networks)";
    ErrRoutingBusy => "路线计算繁忙，请稍后再试", "Routing is busy; try again";
    ErrRoutingStopped => "路线计算已停止，请重新打开控制台", "The routing worker stopped; reopen the console";
    ErrRouting => "路线计算失败", "Routing failed";
    ErrCoverage => "覆盖计算失败", "Coverage failed";
    ErrCoverageUnknownType => "未知力量类型“{given}”", "Unknown force type \"{given}\"";
    ErrCoverageNoThreshold => "预案 {path} 中没有适用于{force}的覆盖目标（[[target]]）",
        "{path} has no coverage target ([[target]]) for {force}";
    ErrCoverageRoads => "路网搜索失败", "The road search failed";
    ErrCoverageUnknownUnit => "未知单位 #{unit}", "Unknown unit #{unit}";
    ErrCoverageNoForceType => "单位 #{unit} 不属于覆盖分析的任何力量类型", "Unit #{unit} belongs to no force type that coverage models";
    ErrCoverageUnknownItem => "未知物资“{given}”", "Unknown item \"{given}\"";
    ErrCoverageSiting => "选址输入有误", "Bad siting input";
    ErrStore => "数据库", "Database";
    ErrUnknownIncident => "没有事件 {incident}", "No incident {incident}";
    ErrIncidentFinal => "事件 {incident} 状态为“{status}”，不能再调派", "Incident {incident} is {status}; nothing can be dispatched to it";
    ErrNoPlanFor => "预案中没有 {type} {grade} 级的响应预案，也没有默认预案", "The plans have no response plan for {type} grade {grade} and no default plan";
    ErrIncidentOffRoad => "事件位置无法接入路网", "The incident cannot be placed on the road network";
    ErrNothingToDispatch => "没有勾选任何力量或物资", "Nothing to dispatch: tick at least one unit or supply";
    ErrUnknownUnit => "没有力量 {unit}", "No unit {unit}";
    ErrUnitTwice => "{unit} 重复列出", "{unit} is listed twice";
    ErrCommitted => "{unit}（{status}）已承担事件 {incident}，需先改派", "{unit} is {status} at incident {incident}; reassign it first";
    ErrCommittedElsewhere => "以下力量已承担其他事件，需先改派：{units}", "Committed elsewhere; reassign to release first: {units}";
    ErrAlreadyThere => "{unit} 已在事件 {incident}（{status}）", "{unit} is already {status} at incident {incident}";
    ErrNotAvailable => "{unit} 当前“{status}”，不能调派", "{unit} is {status} and cannot be dispatched";
    ErrUnknownWarehouse => "没有仓库 {warehouse}", "No warehouse {warehouse}";
    ErrUnknownItem => "{warehouse} 没有物资“{item}”", "{warehouse} holds no {item}";
    ErrShortStock => "{warehouse} 的“{item}”可用仅 {free}（库存 {quantity}，已预留 {reserved}），需要 {requested}", "{warehouse} has only {free} {item} free ({quantity} on hand, {reserved} reserved); {requested} requested";
    ErrZeroQuantity => "“{item}”的数量须大于 0", "The quantity of {item} must be positive";
    TrainingCopy => "建立培训副本", "Make a training copy";
    TrainingCopyTip => "把基础数据（站点、力量、仓库与库存、避难场所）复制到一个新的数据库文件，不含任何事件；在副本上演练不会触及实战数据。已有数据的文件不会被覆盖", "Copy the master data (stations, units, warehouses and stock, shelters) into a new database file without any incident; drills on the copy never touch live data. A file holding data is never overwritten";
    TrainingCopyHint => "副本文件（留空则存于数据库旁）", "Copy file (empty: next to the database)";
    TrainingCopying => "正在建立培训副本…", "Writing the training copy…";
    TrainingCopyDone => "培训副本已建立", "Training copy written";
    TrainingCopyCounts => "{records} 条基础数据；实战事件 {left} 起未复制", "{records} master-data records; {left} live incidents not copied";
    TrainingCopyFailed => "培训副本未建立", "Training copy not written";
    OpenTrainingConsole => "在新窗口打开副本", "Open a console on the copy";
    OpenTrainingConsoleTip => "启动第二个控制台（onemap --db 副本），在其中开始演练", "Start a second console (onemap --db COPY) and run the drill there";
    NewArrivals => "新事件", "New incidents";
    AckAll => "全部已阅", "Acknowledge all";
    NewArrivalsTip => "点击查看最早的未阅新事件", "Click to open the oldest unacknowledged new incident";
    CountyCol => "县（市）", "County";
    WaitingCol => "已过", "Elapsed";
    AssignedCol => "力量", "Units";
    AlertSound => "新事件提示音", "Chime on new incidents";
    PendingLimitsLabel => "黄/红时限（分）", "Amber/red limits (min)";
    PendingLimitsTip => "未派遣事件超过黄色/红色时限即变色（分钟，可在设置中修改）", "Undispatched incidents turn amber / red after these limits (minutes, configurable)";
    AssignedUnits => "已派力量", "Assigned units";
    EtaLabel => "预计到达", "ETA";
    OnSceneFor => "到场已", "On scene for";
    Overdue => "已超过预计到达时间，未报到场", "Past its ETA, no arrival reported";
    Operator => "值班员", "Operator";
    Seat => "席位", "Seat";
    DispatchTo => "派往事件", "Dispatch to incident";
    DispatchOne => "派遣", "Dispatch";
    UnitKeysTip => "快捷键：E 途中 · S 到场 · B 返回 · A 待命 · O 停用", "Keys: E en route · S on scene · B returning · A available · O out of service";
    NotAllowed => "当前状态不允许此操作", "Not allowed from the current status";
    TrackFailed => "无法推算位置", "No position estimate";
    Late => "超时", "late";
    NoPlans => "此地图包无预案文件 plans.toml", "This pack has no plans.toml";
    RouteFromHere => "从此处出发", "Route from here";
    RouteToHere => "到达此处", "Route to here";
    IsochroneHere => "从此处的等时圈（5/10/15/30 分钟）", "Isochrone from here (5/10/15/30 min)";
    ClearRoute => "清除路线与等时圈", "Clear route and isochrone";
    RouteStart => "起点", "From";
    RouteEnd => "终点", "To";
    RouteComputing => "计算中…", "Computing…";
    RoutePickEnd => "右键地图选择终点", "Right-click the map to choose the destination";
    Minutes => "分钟", "min";
    Km => "公里", "km";
    Estimate => "估算", "estimate";
    EstimateTip => "示意路网或离路段较长：时间为估算，不是实际道路计算", "Schematic network or long off-road legs: the time is an estimate, not a real road computation";
    OffroadLegs => "离路段", "Off-road legs";
    Isochrone => "等时圈", "Isochrone";
    // Coverage and siting (issue 6, console half).
    Coverage => "覆盖", "Coverage";
    CoverageLayerTip => "到最近待命力量的行车时间（或救护车道路距离），按网格着色", "Travel time (ambulance: road distance) to the nearest available unit, by grid cell";
    ForceTypeLabel => "力量类型", "Force type";
    CoverageTimeBands => "到最近待命单位的行车时间", "Travel time to the nearest available unit";
    CoverageDistBands => "到最近待命单位的道路距离", "Road distance to the nearest available unit";
    NotReachable => "不可达", "not reachable";
    Beyond => "以上", "and beyond";
    CoveredShare => "覆盖率", "Covered share";
    Thresholds => "标准", "Thresholds";
    ByCounty => "分县（市）", "By county";
    UncoveredPlaces => "未覆盖地点", "Uncovered places";
    WeightingArea => "网格按面积加权（无人口栅格）；地点按个数", "Grid weighted by area (no population grid); places by count";
    CoverageComputing => "覆盖计算中…", "Computing coverage…";
    CoverageCurve => "覆盖率—行车时间", "Covered share vs travel time";
    CoverageCurveDist => "覆盖率—道路距离", "Covered share vs road distance";
    CurveToday => "现状", "Today";
    CurveProposal => "含选址方案", "With the proposal";
    AvailableUnits => "待命单位", "available units";
    MoveUpIf => "若派出 {unit}，{force}覆盖率由 {a}% 降至 {b}%", "If {unit} is dispatched, {force} coverage falls from {a}% to {b}%";
    MoveUpRestore => "；将 {unit} 移至 {station} 可恢复至 {c}%", "; moving {unit} to {station} restores {c}%";
    MoveUpNone => "；无单一调整可改善", "; no single move-up improves it";
    MoveUpLive => "实时：{force}覆盖率现为 {b}%", "Live: {force} coverage is now {b}%";
    MoveUpComputing => "正在计算派出后的覆盖变化…", "Computing coverage after the dispatch…";
    SitingButton => "选址（k=4）", "Siting (k=4)";
    SitingTip => "在候选点（5 公里网格与规划站点）中选 4 处，使新增覆盖面积最大", "Choose 4 of the candidates (5 km grid and planned stations) adding the most covered area";
    SitingSites => "建议新站点", "Proposed sites";
    SitingComputing => "选址计算中…", "Computing sites…";
    Gain => "新增", "gain";
    ShareAfter => "选址后覆盖率", "Share with the sites";
    Candidates => "候选点", "candidates";
    SquareKm => "平方公里", "km²";
    SuppliesTitle => "物资：最近仓库（按道路）", "Supplies: nearest warehouses by road";
    SupplyItem => "物资", "Item";
    SupplyNearest => "查询最近 N 处", "Nearest N by road";
    SupplyAtHint => "地点：最近一次右键的地图点，或所选事件", "At: the map point last right-clicked, or the selected incident";
    SupplyNoPoint => "请先右键地图或选择事件", "Right-click the map or select an incident first";
    SupplyFree => "可用", "free";
    SupplyQuantity => "库存", "on hand";
    SupplyTotals => "分县（市）合计", "Totals by county";
    SupplyHere => "此处最近物资", "Nearest supplies here";
    UrbanRural => "城区 / 乡村", "urban / rural";
    NoRoads => "此地图包无路网，无法计算路线", "This pack has no road network: routes cannot be computed";
    LegendSchematic => "示意路网（非真实道路，估算）", "Schematic roads (not real geometry; estimates)";
    LegendRailway => "铁路（示意）", "Railway (schematic)";
    LegendRoads => "道路（OSM）", "Roads (OSM)";
    ResultCounty => "县（市）", "County";
    ResultSeat => "政府驻地", "Seat";
    ResultPrefecture => "州", "Prefecture";
    ResultTownship => "乡镇", "Township";
    ResultPlace => "地点", "Place";
    ResultPort => "口岸", "Port";
    ResultRiver => "河流", "River";
    AlertsBoard => "预警", "Alerts";
    AlertsActive => "生效中", "Active";
    AlertsExpired => "已过期", "Expired";
    AlertsCancelled => "已解除/已更新", "Cancelled / updated";
    Quakes => "地震", "Earthquakes";
    Drafts => "待审核", "To review";
    AlertSources => "来源", "Sources";
    IssuedByUs => "本中心发布", "Issued by us";
    ParentArea => "（上级区域）", " (parent area)";
    Expires => "失效", "Expires";
    NoExpiry => "未设失效时间", "No expiry given";
    Sender => "发布单位", "Sender";
    AreasLabel => "区域", "Areas";
    QuakeProvisional => "自动测定（未审核）", "Automatic (not reviewed)";
    QuakeWithdrawn => "已撤销", "Withdrawn";
    Depth => "深度", "Depth";
    Approve => "批准", "Approve";
    DismissDraft => "驳回", "Dismiss";
    DismissReason => "驳回原因", "Reason for dismissal";
    DropFolder => "投放文件夹", "Drop folder";
    Feeds => "订阅源", "Feeds";
    LastSuccess => "上次成功", "Last success";
    LastError => "上次错误", "Last error";
    NextPoll => "下次轮询", "Next poll";
    NoFeeds => "alerts.toml 未配置订阅源", "No feeds configured in alerts.toml";
    NoDropFolder => "未监视投放文件夹", "No drop folder watched";
    Acknowledge => "知道了", "Acknowledge";
    ViewAlert => "查看", "View";
    FeltRadius => "估算有感半径", "estimated felt radius";
    AlertsLayer => "预警区域与地震", "Warning areas and earthquakes";
    AlertsHere => "本事件位置的预警与地震", "Warnings and earthquakes at this incident";
    Headline => "标题", "Headline";
    Description => "内容", "Description";
    Instruction => "防御指引", "Instructions";
    FromDraft => "由预警草稿生成（提交即批准）", "From an alert draft (submitting approves it)";
    AlertArrived => "收到预警", "Alert received";
    NoneListed => "无", "None";
    Superseded => "已被更新", "Superseded";
    Taken => "已接收", "Taken";
    Proposed => "建议", "Proposed";
    AlertUnreadable => "无法读取的预警文件", "Unreadable alert document";
    Onset => "生效时间", "Onset";
    NoLevel => "未定级", "No level";
    EstimateSeeReadme => "估算，见 README", "estimate, see README";
    BadBeijingTime => "时间“{time}”无效：请按北京时间 YYYY-MM-DD HH:MM 填写", "“{time}” is not a time: use Beijing time YYYY-MM-DD HH:MM";
    NoOutFile => "须指定 CAP 输出文件", "Choose the CAP file to write";
    WarningFormHint => "时间为北京时间 YYYY-MM-DD HH:MM；标题留空则按类型和级别生成", "Times in Beijing time YYYY-MM-DD HH:MM; an empty headline is generated from type and level";
    EvRuleFired => "预警规则触发", "Alert rule fired";
    EvWarningIssued => "发布预警", "Warning issued";
    EvDraftApproved => "批准草稿", "Draft approved";
    EvDraftDismissed => "驳回草稿", "Draft dismissed";
    AreaFilter => "筛选区域（代码或名称）", "Filter areas (code or name)";
    OutFile => "CAP 文件", "CAP file";
    ComposeWarning => "发布预警", "Issue a warning";
    UpdateWarning => "更新预警", "Update warning";
    CancelWarning => "解除预警", "Cancel warning";
    Level => "级别", "Level";
    HeadlineZh => "标题（中文）", "Headline (Chinese)";
    HeadlineEn => "标题（英文）", "Headline (English)";
    DescriptionZh => "内容（中文）", "Description (Chinese)";
    DescriptionEn => "内容（英文）", "Description (English)";
    InstructionZh => "防御指引（中文）", "Instructions (Chinese)";
    InstructionEn => "防御指引（英文）", "Instructions (English)";
    IssueWarning => "发布", "Issue";
    WarningIssuedOut => "预警已发布，CAP 文件", "Warning issued, CAP file";
    DrawArea => "在地图上绘制区域", "Draw area on map";
    DrawingTitle => "绘制预警区域", "Drawing the warning area";
    DrawingHint => "单击地图添加顶点；回车或双击完成，退格删除上一点，Esc 取消", "Click the map to add vertices; Enter or double-click closes, Backspace removes the last, Esc cancels";
    VertexCount => "{n} 个顶点", "{n} vertices";
    DrawClose => "完成区域", "Close area";
    DrawUndo => "删除上一点", "Remove last vertex";
    DrawCancel => "取消绘制", "Cancel drawing";
    ClearPolygon => "清除多边形", "Clear polygon";
    PolygonArea => "多边形区域", "Polygon area";
    PollerLine => "负责轮询与投放文件夹的席位：{seat}，自 {since}（北京时间）起", "Seat polling the feeds and the drop folder: {seat}, since {since} (Beijing time)";
    ThisSeatMark => "（本席位）", " (this seat)";
    PollerUnknown => "尚未确定负责轮询的席位", "No polling seat seen yet";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages() {
        for &m in Msg::ALL {
            assert!(!tr(Lang::Zh, m).is_empty() && !tr(Lang::En, m).is_empty(), "{m:?}");
            // The Chinese text must actually be Chinese (or a deliberate language name, or a
            // mode badge that is bilingual on purpose in both languages: 演练 DRILL).
            let bilingual = [
                Msg::LanguageSwitch,
                Msg::ReplayBadge,
                Msg::DrillBadge,
                Msg::DrillReplayBadge,
            ];
            if !bilingual.contains(&m) {
                assert!(tr(Lang::Zh, m) != tr(Lang::En, m), "{m:?} is untranslated");
            }
        }
    }

    #[test]
    fn pick_falls_back() {
        assert_eq!(Lang::Zh.pick("景洪", "Jinghong"), "景洪");
        assert_eq!(Lang::En.pick("景洪", "Jinghong"), "Jinghong");
        assert_eq!(Lang::Zh.pick("", "Mengwang"), "Mengwang");
    }
}
