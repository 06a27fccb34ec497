#include "scene/offscreen.h"

#include <osg/GL>
#include <osg/Stats>
#include <osgDB/ReaderWriter>
#include <osgDB/Registry>
#include <osgUtil/SceneView>
#include <osgUtil/Statistics>
#include <osgViewer/Renderer>
#include <osgViewer/Viewer>

#include <chrono>
#include <cstdlib>
#include <sstream>

namespace gridtwin::scene {
namespace {

// Reads the frame while the context is current (single-threaded viewer).
struct Grab : osg::Camera::DrawCallback {
  osg::ref_ptr<osg::Image> image;
  bool enabled = true;
  void operator()(osg::RenderInfo&) const override {
    glFinish();  // so a timed frame includes the rasterizer's work
    if (enabled) image->readPixels(0, 0, image->s(), image->t(), GL_RGB, GL_UNSIGNED_BYTE);
  }
};

core::Error sceneError(std::string message, core::ErrorCode code = core::ErrorCode::kIo) {
  return {code, std::move(message), {}};
}

}  // namespace

core::Result<std::unique_ptr<Offscreen>> Offscreen::open(int width, int height) {
  if (width < 16 || height < 16 || width > 16384 || height > 16384) {
    return sceneError("picture size " + std::to_string(width) + "x" + std::to_string(height) +
                      " is outside 16..16384 pixels");
  }
  const char* display = std::getenv("DISPLAY");
  if (!display || !*display) {
    return sceneError(
        "no X display for offscreen rendering (DISPLAY is unset): run under "
        "xvfb-run -a");
  }
  osg::ref_ptr<osg::GraphicsContext> gc;
  for (int samples : {4, 0}) {
    osg::ref_ptr<osg::GraphicsContext::Traits> t = new osg::GraphicsContext::Traits;
    t->readDISPLAY();
    t->setUndefinedScreenDetailsToDefaultScreen();
    t->x = 0;
    t->y = 0;
    t->width = width;
    t->height = height;
    t->red = t->green = t->blue = 8;
    t->alpha = 8;
    t->depth = 24;
    t->windowDecoration = false;
    t->pbuffer = true;
    t->doubleBuffer = false;
    t->samples = samples;
    t->sampleBuffers = samples > 0 ? 1 : 0;
    gc = osg::GraphicsContext::createGraphicsContext(t.get());
    if (gc && gc->valid()) break;
    gc = nullptr;
  }
  if (!gc) {
    return sceneError(std::string("cannot open an offscreen OpenGL context on display ") + display);
  }
  std::unique_ptr<Offscreen> o(new Offscreen);
  o->m_width = width;
  o->m_height = height;
  o->m_viewer = std::make_unique<osgViewer::Viewer>();
  auto& v = *o->m_viewer;
  v.setThreadingModel(osgViewer::Viewer::SingleThreaded);
  v.setReleaseContextAtEndOfFrameHint(false);
  osg::Camera* cam = v.getCamera();
  cam->setGraphicsContext(gc.get());
  cam->setViewport(0, 0, width, height);
  cam->setDrawBuffer(GL_FRONT);
  cam->setReadBuffer(GL_FRONT);
  cam->setClearColor(osg::Vec4(0.80f, 0.87f, 0.93f, 1));
  cam->getOrCreateStateSet()->setMode(GL_MULTISAMPLE_ARB, osg::StateAttribute::ON);
  osg::ref_ptr<Grab> grab = new Grab;
  grab->image = new osg::Image;
  grab->image->allocateImage(width, height, 1, GL_RGB, GL_UNSIGNED_BYTE);
  cam->setFinalDrawCallback(grab.get());
  v.realize();
  if (!v.isRealized()) return sceneError("the offscreen OpenGL context did not start");
  gc->makeCurrent();
  if (const auto* r = reinterpret_cast<const char*>(glGetString(GL_RENDERER))) o->m_renderer = r;
  return o;
}

Offscreen::~Offscreen() = default;

osg::Camera* Offscreen::camera() { return m_viewer->getCamera(); }

void Offscreen::place(osg::Node* root, const View& view) {
  if (m_viewer->getSceneData() != root) m_viewer->setSceneData(root);
  osg::Camera* cam = m_viewer->getCamera();
  const double distance = (view.eye - view.center).length();
  // Near/far from the eye distance: the scene is ~20 km wide and a few
  // hundred metres tall; a ratio of ~10^4 keeps 24-bit depth exact enough.
  cam->setComputeNearFarMode(osg::CullSettings::DO_NOT_COMPUTE_NEAR_FAR);
  if (view.ortho) {
    const double h = visibleHeightM(view) / 2, w = h * m_width / m_height;
    cam->setProjectionMatrixAsOrtho(-w, w, -h, h, std::max(1.0, distance / 50),
                                    distance * 4 + 1000);
  } else {
    cam->setProjectionMatrixAsPerspective(view.fovyDeg, double(m_width) / m_height,
                                          std::max(1.0, distance / 50), distance * 4 + 1000);
  }
  cam->setViewMatrixAsLookAt(view.eye, view.center, view.up);
}

core::Result<osg::ref_ptr<osg::Image>> Offscreen::render(osg::Node* root, const View& view) {
  place(root, view);
  auto* grab = static_cast<Grab*>(m_viewer->getCamera()->getFinalDrawCallback());
  grab->enabled = true;
  m_viewer->frame();
  osg::ref_ptr<osg::Image> copy = new osg::Image(*grab->image, osg::CopyOp::DEEP_COPY_ALL);
  return copy;
}

FrameTiming Offscreen::time(osg::Node* root, const View& view, int frames) {
  place(root, view);
  auto* grab = static_cast<Grab*>(m_viewer->getCamera()->getFinalDrawCallback());
  grab->enabled = false;
  osg::Stats* stats = m_viewer->getCamera()->getStats();
  stats->collectStats("rendering", true);
  m_viewer->getViewerStats()->collectStats("frame_rate", true);
  FrameTiming t;
  int counted = 0;
  for (int i = 0; i < frames; ++i) {
    const auto start = std::chrono::steady_clock::now();
    m_viewer->frame();
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (i < frames / 2) continue;
    const auto n = m_viewer->getViewerStats()->getLatestFrameNumber();
    double cull = 0, draw = 0;
    stats->getAttribute(n, "Cull traversal time taken", cull);
    stats->getAttribute(n, "Draw traversal time taken", draw);
    t.cullMs += cull * 1000;
    t.drawMs += draw * 1000;
    t.frameMs += ms;
    ++counted;
  }
  if (counted > 0) {
    t.cullMs /= counted;
    t.drawMs /= counted;
    t.frameMs /= counted;
  }
  grab->enabled = true;
  t.drawables = drawnDrawables();
  return t;
}

std::size_t Offscreen::drawnDrawables() const {
  auto* r = dynamic_cast<osgViewer::Renderer*>(m_viewer->getCamera()->getRenderer());
  if (!r) return 0;
  // The single-threaded renderer uses its first scene view.
  osgUtil::Statistics stats;
  stats.setType(osgUtil::Statistics::STAT_PRIMS);
  if (auto* sv = r->getSceneView(0)) sv->getStats(stats);
  return static_cast<std::size_t>(stats.numDrawables);
}

core::Result<std::vector<unsigned char>> encodePng(const osg::Image& image) {
  osgDB::ReaderWriter* rw = osgDB::Registry::instance()->getReaderWriterForExtension("png");
  if (!rw) return sceneError("OpenSceneGraph's PNG plugin (osgdb_png) is not installed");
  std::ostringstream out;
  const auto r = rw->writeImage(image, out);
  if (!r.success()) return sceneError("PNG encoding failed: " + r.message());
  const std::string s = out.str();
  return std::vector<unsigned char>(s.begin(), s.end());
}

}  // namespace gridtwin::scene
