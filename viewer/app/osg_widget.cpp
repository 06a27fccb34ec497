#include "app/osg_widget.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QTimer>
#include <QWheelEvent>

#include <osgGA/OrbitManipulator>

#include <chrono>
#include <cmath>

namespace gridtwin::viewer {
namespace {

// Fly-to: eased interpolation of eye, centre and up over kFlyMs.
constexpr int kFlyMs = 500;
constexpr int kClickSlopPx = 4;  // a press and release this close is a click, not a drag
constexpr double kFovyDeg = 30;  // the perspective camera's; 2D keeps its scale at the centre

// The orbit manipulator, telling the widget each time it places the camera
// (in the frame's update traversal, after this frame's events moved it), so
// that a 2D map's scale follows the distance in the same frame.
class Orbit : public osgGA::OrbitManipulator {
 public:
  explicit Orbit(std::function<void()> placed) : m_placed(std::move(placed)) {}
  void updateCamera(osg::Camera& camera) override {
    osgGA::OrbitManipulator::updateCamera(camera);
    m_placed();
  }

 private:
  std::function<void()> m_placed;
};

}  // namespace

OsgWidget::OsgWidget(QWidget* parent) : QOpenGLWidget(parent) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(false);
  m_viewer = new osgViewer::Viewer;
  m_window =
      m_viewer->setUpViewerAsEmbeddedInWindow(0, 0, std::max(1, width()), std::max(1, height()));
  m_viewer->setThreadingModel(osgViewer::Viewer::SingleThreaded);
  m_viewer->getCamera()->setClearColor(osg::Vec4(0.80f, 0.87f, 0.93f, 1));
  osg::ref_ptr<osgGA::OrbitManipulator> orbit = new Orbit([this] {
    if (m_flat) applyProjection();
  });
  orbit->setAllowThrow(false);
  // The wheel turned forward zooms in, as in every map (OSG's default zooms out).
  orbit->setWheelZoomFactor(-0.1);
  m_viewer->setCameraManipulator(orbit.get(), false);
}

OsgWidget::~OsgWidget() = default;

osgGA::EventQueue* OsgWidget::events() const { return m_window->getEventQueue(); }

void OsgWidget::setScene(std::shared_ptr<scene::DistrictScene> sc) {
  m_scene = std::move(sc);
  m_viewer->setSceneData(m_scene ? m_scene->root() : nullptr);
  if (m_scene) {
    const auto v = scene::overviewView(*m_scene, double(width()) / std::max(1, height()));
    m_viewer->getCameraManipulator()->setHomePosition(v.eye, v.center, v.up);
    m_viewer->getCameraManipulator()->home(0);
  }
  update();
}

QPoint OsgWidget::widgetPosition(const osg::Vec3d& p) const {
  const osg::Camera* c = m_viewer->getCamera();
  const osg::Vec3d w =
      p * (c->getViewMatrix() * c->getProjectionMatrix() * c->getViewport()->computeWindowMatrix());
  const double scale = devicePixelRatioF();
  return QPoint(static_cast<int>(std::lround(w.x() / scale)),
                static_cast<int>(std::lround(height() - w.y() / scale)));
}

void OsgWidget::flyTo(const scene::View& to) {
  auto* orbit = static_cast<osgGA::OrbitManipulator*>(m_viewer->getCameraManipulator());
  osg::Vec3d eye, center, up;
  orbit->getTransformation(eye, center, up);
  const auto start = std::chrono::steady_clock::now();
  auto* timer = new QTimer(this);
  connect(timer, &QTimer::timeout, this, [=, this] {
    const double t = std::min(
        1.0, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count() /
                 kFlyMs);
    const double s = t * t * (3 - 2 * t);  // smoothstep
    auto lerp = [s](const osg::Vec3d& a, const osg::Vec3d& b) { return a * (1 - s) + b * s; };
    osg::Vec3d u = lerp(up, to.up);
    u.normalize();
    orbit->setTransformation(lerp(eye, to.eye), lerp(center, to.center), u);
    update();
    if (t >= 1) timer->deleteLater();
  });
  timer->start(16);
}

void OsgWidget::setView(const scene::View& v) {
  auto* orbit = static_cast<osgGA::OrbitManipulator*>(m_viewer->getCameraManipulator());
  orbit->setTransformation(v.eye, v.center, v.up);
  update();
}

void OsgWidget::home() {
  if (!m_scene) return;
  const double aspect = double(width()) / std::max(1, height());
  flyTo(m_flat ? scene::topView(*m_scene, aspect) : scene::overviewView(*m_scene, aspect));
}

void OsgWidget::topDown() {
  if (m_scene) flyTo(scene::topView(*m_scene, double(width()) / std::max(1, height())));
}

void OsgWidget::setFlat(bool flat) {
  if (flat == m_flat) return;
  auto* orbit = static_cast<osgGA::OrbitManipulator*>(m_viewer->getCameraManipulator());
  osg::Vec3d eye, center, up;
  orbit->getTransformation(eye, center, up);
  const double distance = std::max(1.0, (eye - center).length());
  m_flat = flat;
  m_dragging = false;
  applyProjection();
  if (flat) {
    flyTo({center + osg::Vec3d(0, 0, distance), center, osg::Vec3d(0, 1, 0)});
  } else {
    flyTo(scene::obliqueView(center, distance, 50, 20));
  }
}

double OsgWidget::metresPerPixel() const {
  const auto* orbit = static_cast<const osgGA::OrbitManipulator*>(m_viewer->getCameraManipulator());
  const auto* vp = m_viewer->getCamera()->getViewport();
  const double h = vp ? std::max(1.0, vp->height()) : 1.0;
  scene::View v;
  v.eye = osg::Vec3d(0, 0, orbit->getDistance());
  v.fovyDeg = kFovyDeg;
  return scene::visibleHeightM(v) / h;
}

void OsgWidget::applyProjection() {
  auto* camera = m_viewer->getCamera();
  const auto* vp = camera->getViewport();
  const double w = vp ? std::max(1.0, vp->width()) : 1.0,
               h = vp ? std::max(1.0, vp->height()) : 1.0;
  if (!m_flat) {
    camera->setProjectionMatrixAsPerspective(kFovyDeg, w / h, 1, 1e6);
    return;
  }
  const double mpp = metresPerPixel();
  camera->setProjectionMatrixAsOrtho(-w / 2 * mpp, w / 2 * mpp, -h / 2 * mpp, h / 2 * mpp, 1, 1e6);
}

void OsgWidget::initializeGL() { m_scale = devicePixelRatioF(); }

void OsgWidget::paintGL() {
  m_viewer->getCamera()->getGraphicsContext()->setDefaultFboId(defaultFramebufferObject());
  m_viewer->frame();
}

void OsgWidget::resizeGL(int w, int h) {
  const int pw = static_cast<int>(w * m_scale), ph = static_cast<int>(h * m_scale);
  events()->windowResize(0, 0, pw, ph);
  m_window->resized(0, 0, pw, ph);
  m_viewer->getCamera()->setViewport(0, 0, pw, ph);
  applyProjection();
}

int OsgWidget::osgButton(const QMouseEvent* e) const {
  switch (e->button()) {
    case Qt::LeftButton:
      return (e->modifiers() & Qt::ShiftModifier) ? 2 : 1;
    case Qt::MiddleButton:
      return 2;
    case Qt::RightButton:
      return 3;
    default:
      return 0;
  }
}

void OsgWidget::mousePressEvent(QMouseEvent* e) {
  m_pressAt = e->position().toPoint();
  if (m_flat && e->button() == Qt::LeftButton) {
    // 2D: the map follows the cursor; the manipulator never sees the drag.
    m_dragging = true;
    m_dragFrom = e->position();
    return;
  }
  events()->mouseButtonPress(static_cast<float>(e->position().x() * m_scale),
                             static_cast<float>(e->position().y() * m_scale), osgButton(e));
  update();
}

void OsgWidget::mouseReleaseEvent(QMouseEvent* e) {
  if (m_dragging && e->button() == Qt::LeftButton) {
    mouseMoveEvent(e);
    m_dragging = false;
    if ((e->position().toPoint() - m_pressAt).manhattanLength() <= kClickSlopPx) {
      emit clicked(e->position().toPoint());
    }
    update();
    return;
  }
  events()->mouseButtonRelease(static_cast<float>(e->position().x() * m_scale),
                               static_cast<float>(e->position().y() * m_scale), osgButton(e));
  if (e->button() == Qt::LeftButton &&
      (e->position().toPoint() - m_pressAt).manhattanLength() <= kClickSlopPx) {
    emit clicked(e->position().toPoint());
  }
  update();
}

void OsgWidget::mouseMoveEvent(QMouseEvent* e) {
  if (m_dragging) {
    auto* orbit = static_cast<osgGA::OrbitManipulator*>(m_viewer->getCameraManipulator());
    osg::Vec3d eye, center, up;
    orbit->getTransformation(eye, center, up);
    osg::Vec3d right = (center - eye) ^ up;
    right.normalize();
    const QPointF d = (e->position() - m_dragFrom) * m_scale;
    const double mpp = metresPerPixel();
    // The ground point under the cursor stays under it (screen y grows down).
    const osg::Vec3d move = right * (-d.x() * mpp) + up * (d.y() * mpp);
    orbit->setTransformation(eye + move, center + move, up);
    m_dragFrom = e->position();
    update();
    return;
  }
  events()->mouseMotion(static_cast<float>(e->position().x() * m_scale),
                        static_cast<float>(e->position().y() * m_scale));
  update();
}

void OsgWidget::wheelEvent(QWheelEvent* e) {
  events()->mouseScroll(e->angleDelta().y() > 0 ? osgGA::GUIEventAdapter::SCROLL_UP
                                                : osgGA::GUIEventAdapter::SCROLL_DOWN);
  update();
}

void OsgWidget::keyPressEvent(QKeyEvent* e) {
  if (e->key() == Qt::Key_Space || e->key() == Qt::Key_H) {
    home();
    return;
  }
  const QByteArray text = e->text().toUtf8();
  if (!text.isEmpty()) events()->keyPress(static_cast<unsigned char>(text[0]));
  update();
}

void OsgWidget::keyReleaseEvent(QKeyEvent* e) {
  const QByteArray text = e->text().toUtf8();
  if (!text.isEmpty()) events()->keyRelease(static_cast<unsigned char>(text[0]));
  update();
}

}  // namespace gridtwin::viewer
